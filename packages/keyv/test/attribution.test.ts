import { EventEmitter } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import Keyv from 'keyv';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv } from '../src/index.js';
import { harness, kvCount, StoreDown } from './helpers.js';

beforeEach(() => harness.reset());

/**
 * An adapter that fails the way @keyv/redis does: it catches its own failure, emits `error` on
 * itself and answers undefined, one event-loop turn after the call (so concurrent calls overlap).
 */
class EmittingStore extends EventEmitter {
  readonly data = new Map<string, unknown>();

  constructor(private readonly failing: ReadonlySet<string>) {
    super();
  }

  async get(key: string): Promise<unknown> {
    await tick();
    if ([...this.failing].some((bad) => key.endsWith(bad))) {
      this.emit('error', new StoreDown('adapter lost its connection'));
      return undefined;
    }
    return this.data.get(key);
  }

  async set(key: string, value: unknown): Promise<boolean> {
    this.data.set(key, value);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }

  async clear(): Promise<void> {
    this.data.clear();
  }
}

/** The same store declaring itself a native Keyv 6 adapter (as @keyv/redis does): Keyv uses it unbridged. */
class EmittingAdapter extends EmittingStore {
  readonly capabilities = { expires: true };
}

describe('store errors are attributed to the call that caused them', () => {
  it('sequential calls (no call in flight at the start of each) keep their own results', async () => {
    const keyv = instrumentKeyv(new Keyv({ store: new EmittingStore(new Set(['bad'])), namespace: 'seq' }));
    keyv.on('error', () => undefined);
    await keyv.set('good', 1);
    for (let i = 0; i < 3; i++) {
      expect(await keyv.get('bad')).toBeUndefined();
      expect(await keyv.get('good')).toBe(1);
      expect(await keyv.get('absent')).toBeUndefined();
    }
    expect(await kvCount('get', 'error')).toBe(3);
    expect(await kvCount('get', 'hit')).toBe(3);
    expect(await kvCount('get', 'miss')).toBe(3);
  });

  it('overlapping calls keep their own results whichever of them started first', async () => {
    const keyv = instrumentKeyv(new Keyv({ store: new EmittingStore(new Set(['bad'])), namespace: 'overlap' }));
    keyv.on('error', () => undefined);
    await keyv.set('good', 1);
    expect(await Promise.all([keyv.get('bad'), keyv.get('good'), keyv.get('absent')])).toEqual([undefined, 1, undefined]);
    expect(await Promise.all([keyv.get('good'), keyv.get('bad'), keyv.get('absent'), keyv.get('bad')])).toEqual([1, undefined, undefined, undefined]);
    expect(await kvCount('get', 'error')).toBe(3);
    expect(await kvCount('get', 'hit')).toBe(2);
    expect(await kvCount('get', 'miss')).toBe(2);
  });

  it.each([
    ['a native adapter', EmittingAdapter],
    ['a bridged store', EmittingStore],
  ])('two Keyv instances sharing %s never count each other’s errors', async (_kind, Store) => {
    const store = new Store(new Set(['bad']));
    const failing = instrumentKeyv(new Keyv({ store }), { dbSystemName: 'redis' });
    const healthy = instrumentKeyv(new Keyv({ store }), { dbSystemName: 'mongodb' });
    failing.on('error', () => undefined);
    healthy.on('error', () => undefined);
    await healthy.set('good', 1);
    expect(await Promise.all([failing.get('bad'), healthy.get('good'), healthy.get('absent')])).toEqual([undefined, 1, undefined]);
    expect(await kvCount('get', 'error', { 'db.system.name': 'redis' })).toBe(1);
    expect(await kvCount('get', 'error', { 'db.system.name': 'mongodb' })).toBe(0);
    expect(await kvCount('get', 'hit', { 'db.system.name': 'mongodb' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.system.name': 'mongodb' })).toBe(1);
  });

  it('an error the adapter emits while no call is in flight is counted against no call', async () => {
    const store = new EmittingStore(new Set());
    const keyv = instrumentKeyv(new Keyv({ store, namespace: 'idle' }));
    keyv.on('error', () => undefined);
    await keyv.set('good', 1);
    store.emit('error', new StoreDown('reconnect failed'));
    expect(await keyv.get('good')).toBe(1);
    expect(await kvCount('get', 'hit')).toBe(1);
    expect(await kvCount('get', 'error')).toBe(0);
  });
});
