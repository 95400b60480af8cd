import type { KnexHandler, PoolSnapshot } from './handler.js';
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

/** Listens to one tarn pool: occupancy samples, MariaDB detection and connection releases. Returns a detach function. */
export function watchPool(
  pool: TarnPoolLike,
  handler: KnexHandler<unknown, unknown>,
  options: { readonly occupancy: boolean; onRelease(connection: unknown): void },
): () => void {
  let scheduled = false;
  let attached = true;
  const sample = () => {
    scheduled = false;
    if (!attached || !handler.enabled) return;
    try {
      const snapshot: PoolSnapshot = { used: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max: typeof pool.max === 'number' ? pool.max : 0 };
      handler.poolChanged(snapshot);
    } catch (error) {
      handler.fault(error);
    }
  };
  const onOccupancy = () => {
    if (!scheduled && handler.enabled) {
      scheduled = true;
      queueMicrotask(sample);
    }
  };
  const onCreate = (_eventId: unknown, connection: unknown) => {
    if ((connection as { _isMariaDB?: unknown } | null)?._isMariaDB === true) handler.serverSystem(DB_SYSTEM.MARIADB);
  };
  const onRelease = (connection: unknown) => options.onRelease(connection);

  pool.on('createSuccess', onCreate);
  pool.on('release', onRelease);
  if (options.occupancy) for (const event of OCCUPANCY_EVENTS) pool.on(event, onOccupancy);
  if (options.occupancy) onOccupancy();
  return () => {
    attached = false;
    pool.removeListener('createSuccess', onCreate);
    pool.removeListener('release', onRelease);
    for (const event of OCCUPANCY_EVENTS) pool.removeListener(event, onOccupancy);
  };
}
