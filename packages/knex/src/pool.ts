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

// tarn emits `release` / `acquireRequest` before it updates its lists: sample once in a microtask,
// after the pool settled, and coalesce all events of one tick into one sample.
const OCCUPANCY_EVENTS = ['acquireRequest', 'acquireSuccess', 'acquireFail', 'release', 'createSuccess', 'destroySuccess'];

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

/** Listens to one tarn pool: occupancy samples, acquire failures, releases, MariaDB detection. Returns a detach function. */
export function watchPool(pool: TarnPoolLike, watch: PoolWatch): () => void {
  let scheduled = false;
  let attached = true;
  const sample = () => {
    scheduled = false;
    if (!attached) return;
    const max = typeof pool.max === 'number' ? pool.max : 0;
    watch.onSample({ used: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max });
  };
  const onOccupancy = () => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(sample);
    }
  };
  const onCreate = (_eventId: unknown, connection: unknown) => {
    if ((connection as { _isMariaDB?: unknown } | null)?._isMariaDB === true) watch.onServerSystem(DB_SYSTEM.MARIADB);
  };
  const onRelease = (connection: unknown) => watch.onRelease(connection);
  const onAcquireFail = (_eventId: unknown, error: unknown) => watch.onAcquireFail(error);
  const onDestroy = (_eventId: unknown, connection: unknown) => watch.onDestroy(connection);

  pool.on('createSuccess', onCreate);
  pool.on('release', onRelease);
  pool.on('acquireFail', onAcquireFail);
  pool.on('destroySuccess', onDestroy);
  if (watch.occupancy) {
    for (const event of OCCUPANCY_EVENTS) pool.on(event, onOccupancy);
    onOccupancy();
  }
  return () => {
    attached = false;
    pool.removeListener('createSuccess', onCreate);
    pool.removeListener('release', onRelease);
    pool.removeListener('acquireFail', onAcquireFail);
    pool.removeListener('destroySuccess', onDestroy);
    for (const event of OCCUPANCY_EVENTS) pool.removeListener(event, onOccupancy);
  };
}
