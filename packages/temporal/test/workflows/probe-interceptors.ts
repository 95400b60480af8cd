/** Test-only workflow interceptor module: reports the headers our interceptors hand downstream. */
import { defaultPayloadConverter, proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface ProbeSinks extends Sinks {
  probe: {
    header(activityType: string, carrier: Record<string, string> | undefined): void;
    random(values: number[]): void;
  };
}

const { probe } = proxySinks<ProbeSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        const payload = input.headers['_tracer-data'];
        probe.header(input.activityType, payload ? defaultPayloadConverter.fromPayload(payload) : undefined);
        return next(input);
      },
    },
  ],
});
