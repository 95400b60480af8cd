import { SpanStatusCode } from '@opentelemetry/api';
import { MetricsCollector, setCollector } from '@threadline/core';
import { runApp } from '@threadline/testing';
import { fileURLToPath } from 'node:url';
import Keyv from 'keyv';
import Keyv5 from 'keyv5';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv } from '../src/index.js';
import { harness, inParent, kvCount, StoreDown, throwingStore } from './helpers.js';

beforeEach(() => harness.reset());

describe('store errors are errors, never misses (keyv 6)', () => {
  it('with an error listener Keyv answers undefined; threadline counts an error with its type', async () => {
    const keyv = instrumentKeyv(new Keyv({ store: throwingStore(new Set(), true), namespace: 'down' }));
    const emitted: unknown[] = [];
    keyv.on('error', (error: unknown) => emitted.push(error));
    const value = await inParent(() => keyv.get('k'));

    expect(value).toBeUndefined();
    expect(emitted[0]).toBeInstanceOf(StoreDown);
    expect(await kvCount('get', 'error', { 'db.collection.name': 'down' })).toBe(1);
    expect(await kvCount('get', 'miss')).toBe(0);
    const duration = await harness.metricPoint<{ count: number }>('db.client.operation.duration', { 'error.type': 'ESTOREDOWN' });
    expect(duration.value.count).toBe(1);
    const span = harness.span('get down');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ESTOREDOWN');
    expect(span.attributes['threadline.result']).toBeUndefined();
  });

  it('without a listener the call rejects with the same error object, as it does uninstrumented', async () => {
    const plain = new Keyv({ store: throwingStore(new Set(), true) });
    const instrumented = instrumentKeyv(new Keyv({ store: throwingStore(new Set(), true) }));
    const plainError = await plain.get('k').catch((error: unknown) => error);
    const ourError = await instrumented.get('k').catch((error: unknown) => error);
    expect(plainError).toBeInstanceOf(StoreDown);
    expect(ourError).toBeInstanceOf(StoreDown);
    expect(instrumented.listenerCount('error')).toBe(0);
    expect(await kvCount('get', 'error')).toBe(1);
  });

  it('a rejection the app never handles is still reported as unhandled, as it is uninstrumented', async () => {
    const app = await runApp(fileURLToPath(new URL('./fixtures/unhandled-app.cjs', import.meta.url)));
    expect(app.code, app.stderr).toBe(0);
    expect(app.result).toEqual({ unhandled: ['store down', 'store down'] });
  });

  it('never adds an error listener to Keyv or to its store', async () => {
    const keyv = new Keyv({ store: throwingStore() });
    const before = [keyv.listenerCount('error'), (keyv.store as Keyv).listenerCount('error')];
    instrumentKeyv(keyv);
    await keyv.get('k');
    expect([keyv.listenerCount('error'), (keyv.store as Keyv).listenerCount('error')]).toEqual(before);
  });

  it('attributes errors to the right call when calls run concurrently, without spans', async () => {
    const store = throwingStore(new Set(['bad']));
    const keyv = instrumentKeyv(new Keyv({ store, namespace: 'mix' }));
    keyv.on('error', () => undefined);
    await keyv.set('good', 1);
    const results = await Promise.all([keyv.get('good'), keyv.get('bad'), keyv.get('absent'), keyv.get('bad'), keyv.get('good')]);
    expect(results).toEqual([1, undefined, undefined, undefined, 1]);
    expect(await kvCount('get', 'hit')).toBe(2);
    expect(await kvCount('get', 'miss')).toBe(1);
    expect(await kvCount('get', 'error')).toBe(2);
  });

  it('counts a failed set (false) as an error, on a throwing store and on the memory store', async () => {
    const down = instrumentKeyv(new Keyv({ store: throwingStore(new Set(), true), namespace: 'w' }));
    down.on('error', () => undefined);
    expect(await down.set('k', 1)).toBe(false);
    expect(await kvCount('set', 'error', { 'db.collection.name': 'w' })).toBe(1);

    const memory = instrumentKeyv(new Keyv({ namespace: 'm' }));
    memory.on('error', () => undefined);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(await memory.set('k', circular)).toBe(false);
    expect(await kvCount('set', 'error', { 'db.collection.name': 'm' })).toBe(1);
    expect(await kvCount('set', 'ok', { 'db.collection.name': 'm' })).toBe(0);
  });

  it('counts every key of a failed getMany as an error', async () => {
    const keyv = instrumentKeyv(new Keyv({ store: throwingStore(new Set(), true), namespace: 'many' }));
    keyv.on('error', () => undefined);
    expect(await keyv.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined]);
    expect(await kvCount('getMany', 'error')).toBe(3);
    expect(await kvCount('getMany', 'miss')).toBe(0);
  });
});

describe('keyv 5', () => {
  it('counts hit / miss on the memory store under its default namespace', async () => {
    const keyv = instrumentKeyv(new Keyv5());
    await keyv.set('a', 1);
    expect(await keyv.get('a')).toBe(1);
    expect(await keyv.get('b')).toBeUndefined();
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'keyv', 'db.system.name': 'keyv.memory' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'keyv' })).toBe(1);
    expect(await kvCount('getMany', 'miss')).toBe(0);
    expect(await keyv.get(['a', 'b'])).toEqual([1, undefined]);
    expect(await kvCount('getMany', 'hit')).toBe(1);
  });

  it('counts a store error as an error although Keyv 5 swallows it silently', async () => {
    const keyv = instrumentKeyv(new Keyv5({ store: throwingStore(new Set(['bad'])) }));
    await keyv.set('good', 1);
    const results = await Promise.all([keyv.get('good'), keyv.get('bad'), keyv.get('absent')]);
    expect(results).toEqual([1, undefined, undefined]);
    expect(await kvCount('get', 'hit')).toBe(1);
    expect(await kvCount('get', 'miss')).toBe(1);
    expect(await kvCount('get', 'error')).toBe(1);
  });
});

describe('telemetry never breaks the app', () => {
  it('a fault inside threadline disables its telemetry; the call answers as uninstrumented', async () => {
    const broken = new MetricsCollector();
    const counter = broken.counter.bind(broken);
    broken.counter = ((spec: { name: string }) => {
      if (spec.name === 'threadline.kv.operations') throw new Error('collector bug');
      return counter(spec as never);
    }) as typeof broken.counter;
    setCollector(broken);
    const keyv = instrumentKeyv(new Keyv());
    await keyv.set('a', 1);
    expect(await keyv.get('a')).toBe(1);
    expect(await keyv.get('b')).toBeUndefined();
    harness.reset();
    expect(await keyv.get('a')).toBe(1);
    expect(await kvCount('get', 'hit')).toBe(0);
  });

  it('rejects bad options at construction with what to change', () => {
    expect(() => instrumentKeyv(new Keyv(), { spans: 'sometimes' as never })).toThrow(/spans must be 'with-parent', 'always' or 'never'/);
    expect(() => instrumentKeyv(new Keyv(), { captureKeyHash: 'yes' as never })).toThrow(/captureKeyHash must be true or false/);
    expect(() => instrumentKeyv({} as never)).toThrow(/expects a Keyv instance/);
  });
});
