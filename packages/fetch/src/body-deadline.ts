/** Something waiting for its response body to finish, since `headersAt` (performance.now()). */
export interface AwaitingBody {
  readonly headersAt: number;
}

/**
 * Closes requests whose body never finishes (never read, or abandoned). One shared, unref'd
 * sweep timer instead of a timer per request; it runs only while something is waiting. A Set, not
 * an append-only queue: a finished request must not stay reachable (with its span) until the
 * next sweep, or a busy client retains a second's worth of spans and pays for it in GC.
 */
export class BodyDeadline<T extends AwaitingBody> {
  // Insertion order is headers order and every entry has the same timeout: the sweep can stop at
  // the first entry that has not expired.
  private readonly waiting = new Set<T>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly sweepEveryMs: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: (entry: T) => void,
  ) {
    this.sweepEveryMs = Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  watch(entry: T): void {
    this.waiting.add(entry);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.sweepEveryMs);
      this.timer.unref();
    }
  }

  release(entry: T): void {
    this.waiting.delete(entry);
  }

  /** Ends everything still waiting (used when the instrumentation is disabled). */
  expireAll(): void {
    const entries = [...this.waiting];
    this.waiting.clear();
    this.stop();
    for (const entry of entries) this.expire(entry);
  }

  private sweep(): void {
    const now = performance.now();
    for (const entry of this.waiting) {
      if (now - entry.headersAt < this.timeoutMs) break;
      this.waiting.delete(entry);
      this.expire(entry);
    }
    if (this.waiting.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
