export { KnexInstrumentation } from './instrumentation.js';
export { instrumentKnex, type KnexInstrumentationHandle } from './instrument.js';
export { maskLiterals } from './attributes.js';
export type { KnexInstrumentationConfig, KnexQueryInfo, KnexResponseInfo } from './types.js';
