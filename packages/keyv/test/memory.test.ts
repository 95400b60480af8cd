import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SHARED_INSTRUMENTS } from '@threadline/core';
import { assertChildOf, assertRoot } from '@threadline/testing';
import Keyv from 'keyv';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv } from '../src/index.js';
import { harness, inParent, kvCount } from './helpers.js';

beforeEach(() => harness.reset());

describe('memory store: hit / miss / ok', () => {
  it('counts a hit and a miss, records durations, and starts no span outside a request', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'users' }));
    await keyv.set('alice', { id: 1 });
    expect(await keyv.get('alice')).toEqual({ id: 1 });
    expect(await keyv.get('bob')).toBeUndefined();

    expect(await kvCount('get', 'hit', { 'db.collection.name': 'users', 'db.system.name': 'keyv.memory' })).toBe(1);
    expect(await kvCount('get', 'miss')).toBe(1);
    expect(await kvCount('get', 'error')).toBe(0);
    expect(await kvCount('set', 'ok')).toBe(1);
    const duration = await harness.metricPoint<{ count: number }>('db.client.operation.duration', {
      'db.operation.name': 'get',
      'db.system.name': 'keyv.memory',
      'db.collection.name': 'users',
    });
    expect(duration.value.count).toBe(2);
    expect(duration.attributes['error.type']).toBeUndefined();
    expect(harness.spans()).toHaveLength(0);
  });

  it('declares db.client.operation.duration exactly as the other DB plugins do (one collector, no conflict)', async () => {
    harness.collector.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION);
    const keyv = instrumentKeyv(new Keyv({ namespace: 'shared' }));
    await keyv.get('k');
    const point = await harness.metricPoint<{ count: number }>('db.client.operation.duration', { 'db.collection.name': 'shared' });
    expect(point.value.count).toBe(1);
  });

  it('follows a collector swap: the same instance records into the new process collector only', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'swap' }));
    await keyv.set('k', 1);
    await keyv.get('k');
    const first = harness.collector;
    harness.reset();
    expect(harness.collector).not.toBe(first);
    await keyv.get('k');
    await keyv.get('k');
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'swap' })).toBe(2);
    expect(await kvCount('set', 'ok', { 'db.collection.name': 'swap' })).toBe(0);
  });

  it('keeps namespaces apart in metrics and span names', async () => {
    const users = instrumentKeyv(new Keyv({ namespace: 'users' }));
    const sessions = instrumentKeyv(new Keyv({ namespace: 'sessions' }));
    await inParent(async () => {
      await users.set('k', 1);
      await users.get('k');
      await sessions.get('k');
    });
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'users' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'sessions' })).toBe(1);
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'sessions' })).toBe(0);
    expect(harness.span('get users').attributes['db.collection.name']).toBe('users');
    expect(harness.span('get sessions').attributes['threadline.result']).toBe('miss');
    expect(harness.span('set users').attributes['db.operation.name']).toBe('set');
  });

  it('follows a namespace changed after instrumenting', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'before' }));
    await keyv.get('k');
    keyv.namespace = 'after';
    await keyv.get('k');
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'before' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'after' })).toBe(1);
  });

  it('counts getMany per key: a partial hit is hits plus misses, with batch size and counts on the span', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'cart' }));
    await keyv.setMany([
      { key: 'a', value: 1 },
      { key: 'c', value: 3 },
    ]);
    const values = await inParent(() => keyv.getMany(['a', 'b', 'c']));
    expect(values).toEqual([1, undefined, 3]);
    expect(await kvCount('getMany', 'hit')).toBe(2);
    expect(await kvCount('getMany', 'miss')).toBe(1);
    expect(await kvCount('setMany', 'ok')).toBe(2);
    const span = harness.span('getMany cart');
    expect(span.attributes['threadline.kv.key_count']).toBe(3);
    expect(span.attributes['threadline.kv.hit_count']).toBe(2);
    expect(span.attributes['threadline.kv.miss_count']).toBe(1);
    expect(span.attributes['threadline.result']).toBeUndefined();
  });

  it('counts get(array) once, as getMany, and covers has / hasMany / delete / deleteMany / clear / raw / iterator', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'all' }));
    await keyv.set('a', 1);
    await keyv.setRaw('r', { value: 'raw' });
    expect(await keyv.get(['a', 'x'])).toEqual([1, undefined]);
    expect(await keyv.getRaw('r')).toMatchObject({ value: 'raw' });
    expect(await keyv.getManyRaw(['r', 'x'])).toHaveLength(2);
    expect(await keyv.has('a')).toBe(true);
    expect(await keyv.hasMany(['a', 'x'])).toEqual([true, false]);
    const seen: unknown[] = [];
    for await (const entry of keyv.iterator()) seen.push(entry);
    expect(seen).toHaveLength(2);
    expect(await keyv.delete('a')).toBe(true);
    await keyv.deleteMany(['r', 'x']);
    await keyv.clear();

    expect(await kvCount('get', 'hit')).toBe(0);
    expect(await kvCount('getMany', 'hit')).toBe(1);
    expect(await kvCount('getMany', 'miss')).toBe(1);
    expect(await kvCount('getRaw', 'hit')).toBe(1);
    expect(await kvCount('getManyRaw', 'hit')).toBe(1);
    expect(await kvCount('has', 'hit')).toBe(1);
    expect(await kvCount('hasMany', 'miss')).toBe(1);
    expect(await kvCount('setRaw', 'ok')).toBe(1);
    expect(await kvCount('iterator', 'ok')).toBe(1);
    expect(await kvCount('delete', 'ok')).toBe(1);
    expect(await kvCount('deleteMany', 'ok')).toBe(2);
    expect(await kvCount('clear', 'ok')).toBe(1);
  });
});

describe('spans', () => {
  it('nests a CLIENT span under the active parent with system, namespace and result', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'users' }));
    await inParent(async () => {
      await keyv.set('alice', 'x');
      await keyv.get('alice');
    });
    const parent = harness.span('request');
    const get = harness.span('get users');
    assertChildOf(get, parent);
    expect(get.kind).toBe(SpanKind.CLIENT);
    expect(get.attributes).toMatchObject({
      'db.system.name': 'keyv.memory',
      'db.operation.name': 'get',
      'db.collection.name': 'users',
      'threadline.result': 'hit',
    });
    expect(get.status.code).not.toBe(SpanStatusCode.ERROR);
    assertChildOf(harness.span('set users'), parent);
  });

  it("spans: 'always' traces calls without a parent; 'never' traces none", async () => {
    const always = instrumentKeyv(new Keyv({ namespace: 'a' }), { spans: 'always' });
    const never = instrumentKeyv(new Keyv({ namespace: 'n' }), { spans: 'never' });
    await always.get('k');
    await inParent(() => never.get('k'));
    assertRoot(harness.span('get a'));
    expect(harness.spansNamed('get n')).toHaveLength(0);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'n' })).toBe(1);
  });

  it('names the span by op alone when Keyv has no namespace', async () => {
    const keyv = instrumentKeyv(new Keyv());
    keyv.namespace = undefined;
    await inParent(() => keyv.get('k'));
    expect(harness.span('get').attributes['db.collection.name']).toBeUndefined();
  });

  it('makes the KV span the active span inside the store call', async () => {
    const seen: Array<string | undefined> = [];
    const map = new Map<string, unknown>();
    const store = {
      async get(key: string) {
        seen.push(trace.getActiveSpan()?.spanContext().spanId);
        return map.get(key);
      },
      async set(key: string, value: unknown) {
        map.set(key, value);
        return true;
      },
      async delete(key: string) {
        return map.delete(key);
      },
      async clear() {
        map.clear();
      },
    };
    const keyv = instrumentKeyv(new Keyv({ store, namespace: 'custom' }));
    await inParent(() => keyv.get('k'));
    expect(seen).toEqual([harness.span('get custom').spanContext().spanId]);
  });

  it('leaves the request span active on the built-in memory store, where nothing can nest', async () => {
    const seen: Array<string | undefined> = [];
    const keyv = instrumentKeyv(new Keyv({ namespace: 'mem' }));
    keyv.onHook('before:get', () => {
      seen.push(trace.getActiveSpan()?.spanContext().spanId);
    });
    await inParent(() => keyv.get('k'));
    assertChildOf(harness.span('get mem'), harness.span('request'));
    expect(seen).toEqual([harness.span('request').spanContext().spanId]);
  });
});
