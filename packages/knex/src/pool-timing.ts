import { performance } from 'node:perf_hooks';
import { POOL_TIMING, type PoolTiming } from './handler.js';

// Power of two: an acquire or create still open after this many newer ones lost its slot and is not timed.
const SLOTS = 1024;
const MASK = SLOTS - 1;

/** Start times of open tarn requests by event id, in fixed typed arrays: no allocation per event. */
class RequestClock {
  private readonly ids = new Float64Array(SLOTS).fill(-1);
  private readonly starts = new Float64Array(SLOTS);

  start(eventId: unknown, now: number): void {
    if (typeof eventId !== 'number') return;
    const slot = eventId & MASK;
    this.ids[slot] = eventId;
    this.starts[slot] = now;
  }

  /** Milliseconds since start, or -1 when the request was not seen (or its slot was reused). */
  stop(eventId: unknown, now: number): number {
    if (typeof eventId !== 'number') return -1;
    const slot = eventId & MASK;
    if (this.ids[slot] !== eventId) return -1;
    this.ids[slot] = -1;
    return now - this.starts[slot]!;
  }
}

interface Borrowed {
  at: number;
}

/**
 * Turns tarn's events into the three pool durations: acquireRequest → acquireSuccess (wait),
 * acquireSuccess → release of that connection (use), createRequest → createSuccess (create).
 */
export class PoolTimer {
  private readonly acquires = new RequestClock();
  private readonly creates = new RequestClock();
  // One holder per connection, made on its first borrow and reused: the app never sees it.
  private readonly borrowed = new WeakMap<object, Borrowed>();

  constructor(private readonly record: (timing: PoolTiming, seconds: number) => void) {}

  acquireRequested(eventId: unknown): void {
    this.acquires.start(eventId, performance.now());
  }

  acquired(eventId: unknown, connection: unknown): void {
    const now = performance.now();
    const waited = this.acquires.stop(eventId, now);
    if (waited >= 0) this.record(POOL_TIMING.WAIT, waited / 1000);
    if (connection === null || typeof connection !== 'object') return;
    const holder = this.borrowed.get(connection);
    if (holder) holder.at = now;
    else this.borrowed.set(connection, { at: now });
  }

  released(connection: unknown): void {
    if (connection === null || typeof connection !== 'object') return;
    const holder = this.borrowed.get(connection);
    if (!holder || holder.at < 0) return;
    this.record(POOL_TIMING.USE, (performance.now() - holder.at) / 1000);
    holder.at = -1;
  }

  createRequested(eventId: unknown): void {
    this.creates.start(eventId, performance.now());
  }

  created(eventId: unknown): void {
    const took = this.creates.stop(eventId, performance.now());
    if (took >= 0) this.record(POOL_TIMING.CREATE, took / 1000);
  }
}
