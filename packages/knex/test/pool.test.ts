import knex from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolSnapshot } from '../src/handler.js';
import { watchPool, type PoolWatcher } from '../src/pool.js';

interface TarnPool {
  acquire(): { promise: Promise<object> };
  release(resource: object): boolean;
  destroy(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  readonly max: number;
}
type TarnPoolClass = new (options: { create: () => Promise<object>; destroy: () => void; min: number; max: number }) => TarnPool;

// knex's own tarn (not a dependency of ours): a real pool of plain objects, no database needed.
const db = knex({ client: 'pg', connection: {}, pool: { min: 0, max: 1 } });
const TarnPool = (db.client as { pool: object }).pool.constructor as TarnPoolClass;
await db.destroy();

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('pool gauges from tarn events', () => {
  let pool: TarnPool;
  let watcher: PoolWatcher;
  const samples: PoolSnapshot[] = [];
  const last = () => samples[samples.length - 1];
  const actual = () => ({ used: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max: 2, min: 0 });

  afterEach(async () => {
    watcher.detach();
    await pool.destroy();
  });

  it('reports, at each acquire and release, the state tarn leaves (queued acquires included)', async () => {
    pool = new TarnPool({ create: async () => ({}), destroy: () => undefined, min: 0, max: 2 });
    samples.length = 0;
    watcher = watchPool(pool, {
      occupancy: true,
      onSample: (snapshot) => samples.push(snapshot),
      onRelease: () => undefined,
      onDestroy: () => undefined,
      onAcquireFail: () => undefined,
      onServerSystem: () => undefined,
      onTiming: () => undefined,
    });
    await nextTurn();
    expect(last()).toEqual({ used: 0, idle: 0, pending: 0, max: 2, min: 0 });

    // New connections: the sample waits until the connection served its acquire.
    const a = await pool.acquire().promise;
    const b = await pool.acquire().promise;
    await nextTurn();
    expect(last()).toEqual({ used: 2, idle: 0, pending: 0, max: 2, min: 0 });

    // Pool full: the acquire queues; reported synchronously, at the event.
    const waiting = pool.acquire().promise;
    expect(last()).toEqual({ used: 2, idle: 0, pending: 1, max: 2, min: 0 });
    expect(last()).toEqual(actual());

    // A release with a waiter hands the connection over: still two used, nothing pending.
    pool.release(a);
    expect(last()).toEqual({ used: 2, idle: 0, pending: 0, max: 2, min: 0 });
    expect(last()).toEqual(actual());
    const c = await waiting;

    // Releases without waiters free connections; an acquire with a free connection takes it at once.
    pool.release(b);
    expect(last()).toEqual({ used: 1, idle: 1, pending: 0, max: 2, min: 0 });
    expect(last()).toEqual(actual());
    const d = pool.acquire().promise;
    expect(last()).toEqual({ used: 2, idle: 0, pending: 0, max: 2, min: 0 });
    expect(last()).toEqual(actual());
    pool.release(await d);
    pool.release(c);
    expect(last()).toEqual({ used: 0, idle: 2, pending: 0, max: 2, min: 0 });
    expect(last()).toEqual(actual());
  });

  it('poolMetrics off (occupancy: false) reports nothing but still forwards releases', async () => {
    pool = new TarnPool({ create: async () => ({}), destroy: () => undefined, min: 0, max: 2 });
    samples.length = 0;
    const released: unknown[] = [];
    watcher = watchPool(pool, {
      occupancy: false,
      onSample: (snapshot) => samples.push(snapshot),
      onRelease: (connection) => released.push(connection),
      onDestroy: () => undefined,
      onAcquireFail: () => undefined,
      onServerSystem: () => undefined,
      onTiming: () => undefined,
    });
    const a = await pool.acquire().promise;
    pool.release(a);
    await nextTurn();
    expect(samples).toEqual([]);
    expect(released).toEqual([a]);
  });
});
