import { ATTR, METRICS } from '../../names.js';
import { conditional, EXCEPTION_EVENT, required } from '../conventions.js';
import type { PackageNames } from '../types.js';

export const CORE_NAMES: PackageNames = {
  package: '@threadline/core',
  scopes: ['@threadline/core'],
  spans: [{ pattern: '{code.function.name}', kind: 'INTERNAL', description: 'One traced() call', attributes: [conditional(ATTR.ERROR_TYPE, 'if the call threw')], callerAttributes: true }],
  metrics: [
    { ...METRICS.FUNCTION_DURATION, attributes: [required(ATTR.CODE_FUNCTION_NAME), conditional(ATTR.ERROR_TYPE, 'if the call threw')] },
    { ...METRICS.FUNCTION_CALLS, attributes: [required(ATTR.CODE_FUNCTION_NAME), required(ATTR.RESULT)] },
    { ...METRICS.FUNCTION_IN_FLIGHT, attributes: [required(ATTR.CODE_FUNCTION_NAME)] },
    { ...METRICS.COLLECTOR_OVERFLOW, attributes: [required(ATTR.COLLECTOR_INSTRUMENT)] },
    { ...METRICS.TELEMETRY_DROPPED, attributes: [required(ATTR.DROP_REASON)] },
  ],
  events: [EXCEPTION_EVENT],
  deviations: [],
};
