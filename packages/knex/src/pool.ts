import type { PoolSnapshot, PoolTiming } from './handler.js';
import { PoolTimer } from './pool-timing.js';
import { useWrappedPrototype, type AnyFn } from './prototype-hook.js';
import { DB_SYSTEM } from './semconv.js';

interface TarnPoolLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  readonly max?: number;
  readonly min?: number;
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
  onTiming(timing: PoolTiming, seconds: number): void;
}

export interface PoolWatcher {
  detach(): void;
}

/**
 * Watches one tarn pool: occupancy, acquire failures, releases, MariaDB detection, from tarn's own
 * event dispatch (no listener is added: see observePool).
 *
 * tarn emits `acquireRequest` and `release` just before it changes its lists, then hands free
 * connections to waiting acquires synchronously (validation runs later, on connections already
 * counted as used). The state those two leave is therefore known at the event: they report it
 * at once, with no microtask on a query's path. The rarer events sample after tarn settled.
 */
export function watchPool(pool: TarnPoolLike, watch: PoolWatch): PoolWatcher {
  let scheduled = false;
  let attached = true;
  const report = (used: number, idle: number, pending: number) => {
    if (!attached) return;
    watch.onSample({ used, idle, pending, max: typeof pool.max === 'number' ? pool.max : 0, min: typeof pool.min === 'number' ? pool.min : 0 });
  };
  const timer = new PoolTimer((timing, seconds) => {
    if (attached) watch.onTiming(timing, seconds);
  });
  const takeSample = () => report(pool.numUsed(), pool.numFree(), pool.numPendingAcquires());
  const sample = () => {
    scheduled = false;
    takeSample();
  };
  // Coalesces the events of one tick into one sample, after tarn updated its lists.
  const sampleSoon = () => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(sample);
    }
  };
  // A waiting acquire joins the queue, then free connections serve the queue in order.
  const afterAcquireRequest = () => {
    const free = pool.numFree();
    const pending = pool.numPendingAcquires() + 1;
    const served = Math.min(free, pending);
    report(pool.numUsed() + served, free - served, pending - served);
  };
  // The released connection becomes free, then serves the oldest waiting acquire, if any.
  const afterRelease = () => {
    const free = pool.numFree() + 1;
    const pending = pool.numPendingAcquires();
    const served = Math.min(free, pending);
    report(pool.numUsed() - 1 + served, free - served, pending - served);
  };

  const occupancy = watch.occupancy;
  const listeners: Record<string, (a: unknown, b: unknown) => void> = {
    ...(occupancy
      ? {
          acquireRequest: (eventId) => {
            timer.acquireRequested(eventId);
            afterAcquireRequest();
          },
          acquireSuccess: (eventId, connection) => timer.acquired(eventId, connection),
          createRequest: (eventId) => timer.createRequested(eventId),
        }
      : {}),
    acquireFail: (_eventId, error) => {
      watch.onAcquireFail(error);
      if (occupancy) sampleSoon();
    },
    release: (connection) => {
      watch.onRelease(connection);
      if (occupancy) {
        timer.released(connection);
        afterRelease();
      }
    },
    createSuccess: (eventId, connection) => {
      if (occupancy) timer.created(eventId);
      if ((connection as { _isMariaDB?: unknown } | null)?._isMariaDB === true) watch.onServerSystem(DB_SYSTEM.MARIADB);
      // The new connection serves the acquire waiting for it a few promise hops later (rare: once per connection).
      if (occupancy) setImmediate(takeSample);
    },
    destroySuccess: (_eventId, connection) => {
      watch.onDestroy(connection);
      if (occupancy) sampleSoon();
    },
  };
  const release = observePool(pool, (event, a, b) => listeners[event]?.(a, b));
  // Deferred: an instance instrumented and detached (or disabled) in the same tick records nothing.
  if (occupancy) sampleSoon();
  return {
    detach() {
      attached = false;
      release();
    },
  };
}

type PoolObserver = (event: string, a: unknown, b: unknown) => void;

const observers = new WeakMap<object, PoolObserver>();

/**
 * Sees every event tarn dispatches for `pool` without a listener on it (the app can list its
 * pool's listeners too): tarn runs its handlers through `_executeEventHandlers`, wrapped once on
 * the Pool class. A pool without that method falls back to plain listeners.
 */
function observePool(pool: TarnPoolLike, observer: PoolObserver): () => void {
  const prototype = Object.getPrototypeOf(pool) as object | null;
  if (prototype === null || typeof (prototype as { _executeEventHandlers?: unknown })._executeEventHandlers !== 'function') {
    const listener = (event: string) => (a: unknown, b: unknown) => observer(event, a, b);
    const attachedListeners = POOL_EVENTS.map((event) => [event, listener(event)] as const);
    for (const [event, fn] of attachedListeners) pool.on(event, fn as (...args: unknown[]) => void);
    return () => attachedListeners.forEach(([event, fn]) => pool.removeListener(event, fn as (...args: unknown[]) => void));
  }
  observers.set(pool, observer);
  const release = useWrappedPrototype(prototype, POOL_WRAPPERS);
  return () => {
    if (observers.get(pool) === observer) observers.delete(pool);
    release();
  };
}

const POOL_EVENTS = ['acquireRequest', 'acquireSuccess', 'acquireFail', 'release', 'createRequest', 'createSuccess', 'destroySuccess'];

const POOL_WRAPPERS: Record<string, (original: AnyFn) => AnyFn> = {
  _executeEventHandlers: (original) =>
    function threadlineEventHandlers(this: object, event: unknown, a?: unknown, b?: unknown) {
      // Before the app's handlers, as a listener registered first would run.
      if (typeof event === 'string') observers.get(this)?.(event, a, b);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
};
