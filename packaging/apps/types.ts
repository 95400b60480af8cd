// Type-checked with tsc --strict under node16 and bundler resolution, from the packed tarballs,
// in an app that has @temporalio/client but not the optional @temporalio/worker.
import type { TemporalInstrumentationConfig } from '@threadline/temporal';
import { createClientInterceptors, temporalIdGenerator } from '@threadline/temporal';
import { startTelemetry, type TelemetryHandle } from '@threadline/node';
import { traced, getCollector } from '@threadline/core';
import { BullMQInstrumentation, bullmqTelemetry } from '@threadline/bullmq';
import { KnexInstrumentation, instrumentKnex } from '@threadline/knex';
import { KeyvInstrumentation, instrumentKeyv } from '@threadline/keyv';
import { FetchInstrumentation } from '@threadline/fetch';
import { createCdcConsumer, type CdcConsumerOptions } from '@threadline/pg-cdc';
import { setupTelemetry } from '@threadline/testing';

const config: TemporalInstrumentationConfig = { enabled: true };
const handle: TelemetryHandle = startTelemetry({
  idGenerator: temporalIdGenerator(),
  instrumentations: [new BullMQInstrumentation(), new KnexInstrumentation(), new KeyvInstrumentation(), new FetchInstrumentation()],
});
export const used = [config, handle, createClientInterceptors, traced, getCollector, bullmqTelemetry, instrumentKnex, instrumentKeyv, createCdcConsumer, setupTelemetry];
export type Cdc = CdcConsumerOptions;
