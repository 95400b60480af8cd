export { TemporalInstrumentation } from './instrumentation.js';
export { createClientInterceptors } from './client-interceptors.js';
export { temporalIdGenerator, type IdGeneratorLike } from './id-generator.js';
export { contextFromHeaders, headersWithContext } from './header.js';
export { SPAN_PREFIX, TEMPORAL_ATTR, TEMPORAL_METRICS, TRACE_HEADER } from './semconv.js';
export type { SandboxSpanData, TracingSinks } from './span-data.js';
export type { TemporalInstrumentationConfig } from './types.js';
