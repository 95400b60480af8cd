export { FetchInstrumentation } from './instrumentation.js';
export { subscribeFetch, type FetchSubscription, type SubscribeFetchOptions } from './subscribe.js';
export { FETCH_ATTR } from './semconv.js';
export { DEFAULT_REDACTED_QUERY_PARAMS } from '@threadline/core';
export type {
  FetchIgnore,
  FetchInstrumentationConfig,
  FetchInstrumentationOptions,
  FetchRequestInfo,
  FetchResponseInfo,
  UndiciRequest,
  UndiciResponse,
} from './types.js';
