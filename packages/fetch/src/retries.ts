import type { Context } from '@opentelemetry/api';

/** What a failed attempt leaves behind for the attempt that may retry it. */
export interface RetryOrigin {
  /** The caller's context the first attempt was made in: every retry becomes its sibling. */
  readonly parent: Context;
  /** `http.request.resend_count` of the failed attempt. */
  readonly count: number;
}

interface Pending extends RetryOrigin {
  readonly key: string;
  readonly at: number;
}

// undici's retry handler waits at most `maxTimeout` (30 s by default, Retry-After is capped by it)
// before the next attempt; an attempt that failed longer ago than this is no longer retried.
const WINDOW_MS = 120_000;
const MAX_PER_CONTEXT = 32;
// The frame of undici's RetryHandler (RetryAgent and `interceptors.retry` alike) that dispatches
// the next attempt; its request is created a few frames below it.
const RETRY_FRAME = /\bRetryHandler\.retry\b/;
const STACK_DEPTH = 32;

/**
 * Numbers the attempts undici's RetryHandler makes (`RetryAgent`, `interceptors.retry`) for
 * `http.request.resend_count`, and gives each the first attempt's parent.
 *
 * Each attempt is a new undici request with its own channel events, but nothing in them says it
 * repeats an earlier one, and the retry is dispatched from a timer (or the previous attempt's
 * completion) set while undici processed the failed attempt: the active context then is the one the
 * *socket* was opened in, often another request's trace. So a failed attempt is remembered under
 * the context active when it ended, for its method and URL; a request created later in that same
 * context, for the same method and URL, whose call stack runs through the RetryHandler's `retry`,
 * is its retry. The stack is read only in that case (a failed attempt in this context, same URL),
 * never on the common path.
 */
export class RetryAttempts {
  private readonly pending = new WeakMap<Context, Pending[]>();

  /** An attempt ended with an error or a status undici may retry; `active` is the context it ended in. */
  failed(active: Context, key: string, origin: RetryOrigin): void {
    let list = this.pending.get(active);
    if (list === undefined) this.pending.set(active, (list = []));
    if (list.length >= MAX_PER_CONTEXT) list.shift();
    list.push({ key, parent: origin.parent, count: origin.count, at: performance.now() });
  }

  /** The failed attempt a request about to start retries, if it is a RetryHandler retry of one. */
  retryOf(active: Context, request: ResendRequest, urlPrefix: string): RetryOrigin | undefined {
    // The common path: one WeakMap lookup, nothing allocated.
    const list = this.pending.get(active);
    if (list === undefined) return undefined;
    const now = performance.now();
    while (list.length > 0 && now - (list[0] as Pending).at > WINDOW_MS) list.shift();
    if (list.length === 0) {
      this.pending.delete(active);
      return undefined;
    }
    const wanted = resendKey(request, urlPrefix);
    // The oldest first: equal backoffs retry in the order the attempts failed.
    const index = list.findIndex((p) => p.key === wanted);
    if (index < 0 || !calledFromRetryHandler()) return undefined;
    const [found] = list.splice(index, 1);
    return found;
  }
}

/** What a retry repeats: method and URL. */
export interface ResendRequest {
  readonly method: string;
  readonly path: string;
}

export function resendKey(request: ResendRequest, urlPrefix: string): string {
  return `${request.method} ${urlPrefix}${String(request.path)}`;
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
