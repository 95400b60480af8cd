// Imported first by every entry file, before any library it instruments (README: "Register").
import { startTelemetry } from '@threadline/node';
import { appInstrumentations } from './instrumentations';

export const telemetry = startTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'threadline-example',
  instrumentations: appInstrumentations(),
  flushOnSignals: true,
});
