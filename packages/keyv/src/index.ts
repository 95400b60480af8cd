export { KeyvInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export { instrumentKeyv } from './instrument-keyv.js';
export { KV_ATTR } from './semconv.js';
export type { KeyvInstrumentationConfig, KeyvSpanMode, KeyvTelemetryOptions } from './types.js';
