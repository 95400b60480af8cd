/** Test-only workflow interceptor module: reports the headers our interceptors hand downstream. */
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter, proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface ProbeSinks extends Sinks {
  probe: {
    header(target: string, carrier: Record<string, string> | undefined): void;
    random(values: number[]): void;
  };
}

const { probe } = proxySinks<ProbeSinks>();

function carrierOf(headers: Record<string, Payload>): Record<string, string> | undefined {
  const payload = headers['_tracer-data'];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        probe.header(input.activityType, carrierOf(input.headers));
        return next(input);
      },
      startChildWorkflowExecution(input, next) {
        probe.header(`child:${input.workflowType}`, carrierOf(input.headers));
        return next(input);
      },
      continueAsNew(input, next) {
        probe.header(`continueAsNew:${input.options.workflowType}`, carrierOf(input.headers));
        return next(input);
      },
    },
  ],
});
