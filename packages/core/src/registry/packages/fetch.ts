import { ATTR, METRICS } from '../../names.js';
import { CONVENTION, conditional, EXCEPTION_EVENT, recommended, required } from '../conventions.js';
import type { PackageNames } from '../types.js';

export const FETCH_NAMES: PackageNames = {
  package: '@threadline/fetch',
  scopes: ['@threadline/fetch'],
  spans: [
    {
      pattern: '{http.request.method}',
      kind: 'CLIENT',
      description: 'One outbound `fetch` / undici request (`HTTP` for unknown methods)',
      attributes: [...CONVENTION.httpClientSpan, recommended('threadline.http.response.body_incomplete', 'when the body was not read in time')],
    },
  ],
  metrics: [
    {
      ...METRICS.HTTP_CLIENT_REQUEST_DURATION,
      attributes: [
        required(ATTR.HTTP_REQUEST_METHOD),
        required(ATTR.SERVER_ADDRESS),
        required(ATTR.SERVER_PORT),
        conditional(ATTR.HTTP_RESPONSE_STATUS_CODE, 'if a response was received'),
        conditional(ATTR.ERROR_TYPE, 'if the request failed'),
        recommended(ATTR.NETWORK_PROTOCOL_VERSION),
      ],
    },
  ],
  events: [EXCEPTION_EVENT],
  deviations: [
    '`url.scheme` (Opt-In) is added to spans only with `captureUrlScheme: true`, never to the metric.',
    'Each redirect hop and each retry attempt of undici\'s RetryHandler (`RetryAgent`, `interceptors.retry`) is its own span; undici marks neither, so `http.request.resend_count` is inferred: a request made in the context a 3xx was answered in, for the URL its `Location` named, is the next hop; a request for the same method and URL dispatched by the RetryHandler in the context a failed attempt ended in is the next attempt, and a sibling of the first.',
  ],
};
