import type { Context } from '@opentelemetry/api';

/** Where a resent request belongs: the first request's parent, and its `http.request.resend_count`. */
export interface Resend {
  readonly parent: Context;
  readonly count: number;
}

/** The slice of undici's request a resend is recognised by. */
export interface ResendRequest {
  readonly method: string;
  readonly path: string;
}

interface FailedAttempt extends Resend {
  readonly key: string;
  readonly at: number;
}

/** What one context waits for: the hop a 3xx announced, attempts undici may retry. */
interface Expected {
  redirect: { readonly url: string; readonly count: number } | undefined;
  retries: FailedAttempt[] | undefined;
}

const REDIRECT_STATUS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// undici's retry handler waits at most `maxTimeout` (30 s by default, Retry-After is capped by it)
// before the next attempt; an attempt that failed longer ago than this is no longer retried.
const RETRY_WINDOW_MS = 120_000;
const MAX_RETRIES_PER_CONTEXT = 32;
// The frame of undici's RetryHandler (RetryAgent and `interceptors.retry` alike) that dispatches
// the next attempt; its request is created a few frames below it.
const RETRY_FRAME = /\bRetryHandler\.retry\b/;
const STACK_DEPTH = 32;

/**
 * Recognises resends for `http.request.resend_count`: undici's channels mark neither a redirect hop
 * nor a retry attempt, each is just a new request.
 *
 * - Redirects: fetch makes the next hop in the caller's context, so a request created in the
 *   context a 3xx was answered in, for the URL its `Location` named, is that hop.
 * - Retries (undici's RetryHandler: `RetryAgent`, `interceptors.retry`): the next attempt is
 *   dispatched from a timer (or the failed attempt's completion) set while undici processed the
 *   failed attempt, so the active context is the one the pooled *socket* was opened in, often another
 *   request's trace. A failed attempt is remembered under the context active when it ended, for its
 *   method and URL; a request created later in that context, for the same method and URL, whose call
 *   stack runs through the RetryHandler's `retry`, is its retry and takes the first attempt's parent.
 *   The stack is read only then, never on the common path.
 *
 * One map for both: the common path (nothing expected in this context) is one WeakMap lookup.
 */
export class Resends {
  private readonly expected = new WeakMap<Context, Expected>();

  /** The resend a request about to start in `active` is, or undefined for a first request. */
  of(active: Context, request: ResendRequest, urlPrefix: string): Resend | undefined {
    const expected = this.expected.get(active);
    if (expected === undefined) return undefined;
    const retry = expected.retries && retryOf(expected.retries, resendKey(request, urlPrefix));
    const redirect = expected.redirect;
    // Any request in this context ends the wait for a hop: a later one is no longer that hop.
    expected.redirect = undefined;
    if (expected.retries?.length === 0) expected.retries = undefined;
    if (expected.retries === undefined) this.expected.delete(active);
    if (retry !== undefined) return retry;
    if (redirect !== undefined && normalized(urlPrefix + String(request.path)) === redirect.url) return { parent: active, count: redirect.count };
    return undefined;
  }

  /** A response to a request (resend `count`) arrived in `parent`; a redirect makes the next request resend `count + 1`. */
  answered(parent: Context, requestUrl: string, count: number, status: number, location: string | undefined): void {
    if (!REDIRECT_STATUS.has(status) || !location) return;
    let url: string;
    try {
      url = new URL(location, requestUrl).href;
    } catch {
      return; // A malformed Location: fetch fails the redirect itself.
    }
    this.expectedIn(parent).redirect = { url, count: count + 1 };
  }

  /** An attempt ended with an error or a status undici may retry; `active` is the context it ended in. */
  failed(active: Context, request: ResendRequest, urlPrefix: string, first: Resend): void {
    const expected = this.expectedIn(active);
    const retries = (expected.retries ??= []);
    if (retries.length >= MAX_RETRIES_PER_CONTEXT) retries.shift();
    retries.push({ key: resendKey(request, urlPrefix), parent: first.parent, count: first.count, at: performance.now() });
  }

  private expectedIn(ctx: Context): Expected {
    let expected = this.expected.get(ctx);
    if (expected === undefined) this.expected.set(ctx, (expected = { redirect: undefined, retries: undefined }));
    return expected;
  }
}

/** Takes the oldest failed attempt with this key (equal backoffs retry in failure order), if the caller is the RetryHandler. */
function retryOf(retries: FailedAttempt[], key: string): Resend | undefined {
  const now = performance.now();
  while (retries.length > 0 && now - (retries[0] as FailedAttempt).at > RETRY_WINDOW_MS) retries.shift();
  const index = retries.findIndex((attempt) => attempt.key === key);
  if (index < 0 || !calledFromRetryHandler()) return undefined;
  const [attempt] = retries.splice(index, 1) as [FailedAttempt];
  return { parent: attempt.parent, count: attempt.count + 1 };
}

function resendKey(request: ResendRequest, urlPrefix: string): string {
  return `${request.method} ${urlPrefix}${String(request.path)}`;
}

function normalized(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

function calledFromRetryHandler(): boolean {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = STACK_DEPTH;
    return RETRY_FRAME.test(new Error().stack ?? '');
  } finally {
    Error.stackTraceLimit = limit;
  }
}
