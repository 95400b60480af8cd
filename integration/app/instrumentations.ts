import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { BullMQInstrumentation } from '@threadline/bullmq';
import { FetchInstrumentation } from '@threadline/fetch';
import { KeyvInstrumentation } from '@threadline/keyv';
import { KnexInstrumentation } from '@threadline/knex';
import { PgCdcInstrumentation } from '@threadline/pg-cdc';

/** The plugins every process of the example app registers. */
export function appInstrumentations() {
  return [
    new ExpressInstrumentation(),
    new BullMQInstrumentation(),
    new KnexInstrumentation(),
    new KeyvInstrumentation(),
    new FetchInstrumentation(),
    new PgCdcInstrumentation(),
  ];
}
