import type { Context } from '@opentelemetry/api';

const REDIRECT_STATUS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

function normalized(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/**
 * Numbers fetch's redirect hops for `http.request.resend_count`. undici's channels do not say that
 * a request follows a redirect, but fetch makes the next hop in the caller's context: a request
 * created in the context a 3xx was answered in, for the URL its `Location` named, is that hop.
 */
export class RedirectHops {
  private readonly pending = new WeakMap<Context, { readonly url: string; readonly count: number }>();

  /** The hop number of a request about to start (0: it follows no redirect). */
  hopOf(parent: Context, url: () => string): number {
    const hop = this.pending.get(parent);
    if (hop === undefined) return 0;
    this.pending.delete(parent);
    return normalized(url()) === hop.url ? hop.count : 0;
  }

  /** A response to a request (hop `count`) arrived; a redirect makes the next request hop `count + 1`. */
  answered(parent: Context, requestUrl: string, count: number, status: number, location: string | undefined): void {
    if (!REDIRECT_STATUS.has(status) || !location) return;
    try {
      this.pending.set(parent, { url: new URL(location, requestUrl).href, count: count + 1 });
    } catch {
      // A malformed Location: fetch fails the redirect itself.
    }
  }
}
