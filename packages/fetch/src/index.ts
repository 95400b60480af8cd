export { FetchInstrumentation } from './instrumentation.js';
export { subscribeFetch, type FetchSubscription, type SubscribeFetchOptions } from './subscribe.js';
export { DEFAULT_SENSITIVE_QUERY_PARAMS, FETCH_ATTR } from './semconv.js';
export type {
  FetchIgnore,
  FetchInstrumentationConfig,
  FetchInstrumentationOptions,
  FetchRequestInfo,
  FetchResponseInfo,
  UndiciRequest,
  UndiciResponse,
} from './types.js';
