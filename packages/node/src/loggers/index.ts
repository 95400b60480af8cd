import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { WinstonLogsInstrumentation } from './winston.js';

/**
 * pino and winston: trace ids on every record written inside a span, each record sent through the
 * logs pipeline. Only ids are added; span attributes never reach a record.
 */
export function createLoggerInstrumentations(): Instrumentation[] {
  return [new PinoInstrumentation(), new WinstonLogsInstrumentation()];
}
