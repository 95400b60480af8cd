import type { PoolSnapshot } from './handler.js';
import { DB_SYSTEM } from './semconv.js';

interface TarnPoolLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  readonly max?: number;
}

export function isTarnPool(pool: unknown): pool is TarnPoolLike {
  const p = pool as Partial<TarnPoolLike> | null | undefined;
  return !!p && typeof p.on === 'function' && typeof p.removeListener === 'function' && typeof p.numUsed === 'function' && typeof p.numFree === 'function' && typeof p.numPendingAcquires === 'function';
}

export interface PoolWatch {
  readonly occupancy: boolean;
  onRelease(connection: unknown): void;
  onDestroy(connection: unknown): void;
  /**
   * tarn reports the failure inside the acquiring caller's promise chain, so the active context
   * there is the caller's: an acquire failure span lands in the caller's trace.
   */
  onAcquireFail(error: unknown): void;
  onServerSystem(system: string): void;
  onSample(snapshot: PoolSnapshot): void;
}

export interface PoolWatcher {
  detach(): void;
}

/**
 * Listens to one tarn pool: occupancy, acquire failures, releases, MariaDB detection. One listener
 * per event, and none on `acquireSuccess`: tarn copies its listener array on every emit, and
 * `acquireRequest` / `release` fire on every query. tarn moves a free connection to `used`
 * synchronously inside `acquire()` and `release()` (validation runs after), so the samples after
 * `acquireRequest` and `release` already count a connection handed over; one after `createSuccess`
 * waits until the new connection has served its waiting acquire.
 */
export function watchPool(pool: TarnPoolLike, watch: PoolWatch): PoolWatcher {
  let scheduled = false;
  let attached = true;
  const takeSample = () => {
    if (!attached) return;
    const max = typeof pool.max === 'number' ? pool.max : 0;
    watch.onSample({ used: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max });
  };
  const sample = () => {
    scheduled = false;
    takeSample();
  };
  // tarn emits `release` / `acquireRequest` before it updates its lists: sample in a microtask,
  // after the pool settled, coalescing all events of one tick into one sample.
  const sampleSoon = watch.occupancy
    ? () => {
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(sample);
        }
      }
    : () => undefined;
  // A new connection serves the waiting acquire a few promise hops after `createSuccess` (rare: once per connection).
  const sampleAfterCreate = watch.occupancy ? () => void setImmediate(takeSample) : () => undefined;

  const listeners: Record<string, (...args: unknown[]) => void> = {
    acquireRequest: sampleSoon,
    acquireFail: (_eventId, error) => {
      watch.onAcquireFail(error);
      sampleSoon();
    },
    release: (connection) => {
      watch.onRelease(connection);
      sampleSoon();
    },
    createSuccess: (_eventId, connection) => {
      if ((connection as { _isMariaDB?: unknown } | null)?._isMariaDB === true) watch.onServerSystem(DB_SYSTEM.MARIADB);
      sampleAfterCreate();
    },
    destroySuccess: (_eventId, connection) => {
      watch.onDestroy(connection);
      sampleSoon();
    },
  };
  for (const [event, listener] of Object.entries(listeners)) {
    if (event !== 'acquireRequest' || watch.occupancy) pool.on(event, listener);
  }
  sampleSoon();
  return {
    detach() {
      attached = false;
      for (const [event, listener] of Object.entries(listeners)) pool.removeListener(event, listener);
    },
  };
}
