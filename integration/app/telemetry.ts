// Imported first by every entry file, before any library it instruments (README: "Register").
import { BullMQInstrumentation } from '@threadline/bullmq';
import { FetchInstrumentation } from '@threadline/fetch';
import { KeyvInstrumentation } from '@threadline/keyv';
import { KnexInstrumentation } from '@threadline/knex';
import { startTelemetry } from '@threadline/node';
import { PgCdcInstrumentation } from '@threadline/pg-cdc';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';

export const telemetry = startTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'threadline-example',
  instrumentations: [
    new ExpressInstrumentation(),
    new BullMQInstrumentation(),
    new KnexInstrumentation(),
    new KeyvInstrumentation(),
    new FetchInstrumentation(),
    new PgCdcInstrumentation(),
  ],
  flushOnSignals: true,
});
