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
  /** Schedules an occupancy sample (the hook calls it when a query starts: a connection was just acquired). */
  sampleSoon(): void;
  detach(): void;
}

/**
 * Listens to one tarn pool: occupancy, acquire failures, releases, MariaDB detection. One listener
 * per event, and none on `acquireSuccess` (every acquire is followed by a query event, which
 * samples): tarn copies its listener array on every emit, and `acquireRequest` / `release` fire
 * on every query.
 */
export function watchPool(pool: TarnPoolLike, watch: PoolWatch): PoolWatcher {
  let scheduled = false;
  let attached = true;
  const sample = () => {
    scheduled = false;
    if (!attached) return;
    const max = typeof pool.max === 'number' ? pool.max : 0;
    watch.onSample({ used: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max });
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
      sampleSoon();
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
    sampleSoon,
    detach() {
      attached = false;
      for (const [event, listener] of Object.entries(listeners)) pool.removeListener(event, listener);
    },
  };
}
