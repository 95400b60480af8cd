/** Something waiting for its response body to finish, since `headersAt` (performance.now()). */
export interface AwaitingBody {
  readonly headersAt: number;
  /** Links owned by BodyDeadline (an intrusive list: no hashing, no allocation per request). */
  deadlinePrev: AwaitingBody | undefined;
  deadlineNext: AwaitingBody | undefined;
  deadlineWatched: boolean;
}

/**
 * Closes requests whose body never finishes (never read, or abandoned). One shared, unref'd
 * sweep timer instead of a timer per request; it runs only while something is waiting. Entries
 * are unlinked as soon as they end, so a finished request (and its span) is never kept reachable.
 */
export class BodyDeadline<T extends AwaitingBody> {
  // List order is headers order and every entry has the same timeout: the sweep can stop at the
  // first entry that has not expired.
  private head: AwaitingBody | undefined;
  private tail: AwaitingBody | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly sweepEveryMs: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: (entry: T) => void,
  ) {
    this.sweepEveryMs = Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  watch(entry: T): void {
    if (entry.deadlineWatched) return;
    entry.deadlineWatched = true;
    entry.deadlinePrev = this.tail;
    entry.deadlineNext = undefined;
    if (this.tail) this.tail.deadlineNext = entry;
    else this.head = entry;
    this.tail = entry;
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.sweepEveryMs);
      this.timer.unref();
    }
  }

  release(entry: T): void {
    if (!entry.deadlineWatched) return;
    entry.deadlineWatched = false;
    const { deadlinePrev: prev, deadlineNext: next } = entry;
    if (prev) prev.deadlineNext = next;
    else this.head = next;
    if (next) next.deadlinePrev = prev;
    else this.tail = prev;
    entry.deadlinePrev = undefined;
    entry.deadlineNext = undefined;
  }

  /** Ends everything still waiting (used when the instrumentation is disabled). */
  expireAll(): void {
    while (this.head) this.expireOne(this.head as T);
    this.stop();
  }

  private sweep(): void {
    const now = performance.now();
    while (this.head && now - this.head.headersAt >= this.timeoutMs) this.expireOne(this.head as T);
    if (!this.head) this.stop();
  }

  private expireOne(entry: T): void {
    this.release(entry);
    this.expire(entry);
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
