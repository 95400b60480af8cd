// The Temporal worker's bootstrap: the app's plugins plus Temporal, with the id generator that
// lets spans re-created from the workflow sandbox keep the ids their activities point at.
import { startTelemetry } from '@threadline/node';
import { TemporalInstrumentation, temporalIdGenerator } from '@threadline/temporal';
import { appInstrumentations } from './instrumentations';

export const temporalInstrumentation = new TemporalInstrumentation();

export const telemetry = startTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'threadline-temporal-worker',
  instrumentations: [...appInstrumentations(), temporalInstrumentation],
  idGenerator: temporalIdGenerator(),
  flushOnSignals: true,
});
