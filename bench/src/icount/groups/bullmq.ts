import { context, metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { bullmqTelemetry } from '@threadline/bullmq';
import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { semconvMinimum, telemetryPathOnly } from '../../fixtures/bullmq-adapters.js';
import { replayOneJob, type ReplayJob } from '../../fixtures/bullmq-replay.js';
import { IdleReader } from '../../otel-fixtures.js';
import type { IcountGroup } from '../scenario.js';
import { requestContext } from '../settings.js';

const processJob = async (job: ReplayJob) => job.data.n;

/** BullMQ's per-job adapter calls (add, process, complete) replayed without Redis, each job added inside a request. */
export const bullmqGroup: IcountGroup = {
  id: 'bullmq',
  title: 'BullMQ adapter calls per job, replayed (no Redis)',
  ops: 500,
  async setup() {
    // bullmq-otel records its job metrics through the global meter provider, as in an app.
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new IdleReader()] }));
    const threadline = bullmqTelemetry();
    const wrapped = threadline.processor(processJob) as (job: ReplayJob) => Promise<number>;
    const replay = (telemetry: Telemetry | undefined, processor: (job: ReplayJob) => Promise<unknown>) => async (n: number) => {
      for (let i = 0; i < n; i++) await context.with(requestContext(i), replayOneJob, undefined, telemetry as Telemetry, processor, i);
    };
    return [
      { name: 'replay, no telemetry option', role: 'baseline', run: replay(undefined, processJob) },
      { name: "replay, BullMQ's telemetry path with an adapter that does nothing (floor)", role: 'floor', run: replay(telemetryPathOnly, processJob) },
      { name: 'replay, semconv minimum: 2 SDK spans + carrier (floor)', role: 'floor', run: replay(semconvMinimum(), processJob) },
      {
        name: 'replay, threadline (spans + metrics, processor wrapper)',
        role: 'threadline',
        floor: 'replay, semconv minimum: 2 SDK spans + carrier (floor)',
        anchor: 'replay, bullmq-otel 2.0.1 (spans + metrics)',
        run: replay(threadline as unknown as Telemetry, wrapped),
      },
      { name: 'replay, bullmq-otel 2.0.1 (spans + metrics)', role: 'anchor', run: replay(new BullMQOtel({ enableMetrics: true }) as unknown as Telemetry, processJob) },
    ];
  },
};
