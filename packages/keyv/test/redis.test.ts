import { SpanStatusCode } from '@opentelemetry/api';
import KeyvRedis, { createKeyvNonBlocking } from '@keyv/redis';
import { assertChildOf, describeWithServices, SERVICES, startPrivateRedis, uniqueName } from '@threadline/testing';
import Keyv from 'keyv';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv } from '../src/index.js';
import { harness, inParent, kvCount } from './helpers.js';

const { host, port } = SERVICES.redis;
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

beforeEach(() => harness.reset());

describeWithRedis('Redis store (@keyv/redis, shared server)', () => {
  const namespace = uniqueName('tl_keyv');
  const keyv = instrumentKeyv(new Keyv({ store: new KeyvRedis(`redis://${host}:${port}`), namespace }));

  afterAll(async () => {
    await keyv.deleteMany(['alice', 'a', 'c']);
    await keyv.disconnect();
  });

  it('counts hit and miss with db.system.name redis and nests spans under the request', async () => {
    await inParent(async () => {
      await keyv.set('alice', { id: 1 });
      expect(await keyv.get('alice')).toEqual({ id: 1 });
      expect(await keyv.get('nobody')).toBeUndefined();
    });
    expect(await kvCount('get', 'hit', { 'db.system.name': 'redis', 'db.collection.name': namespace })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.system.name': 'redis' })).toBe(1);
    const gets = harness.spansNamed(`get ${namespace}`);
    expect(gets.map((s) => s.attributes['threadline.result'])).toEqual(['hit', 'miss']);
    for (const span of gets) assertChildOf(span, harness.span('request'));
    expect(gets[0]?.attributes['db.system.name']).toBe('redis');
  });

  it('counts a getMany partial hit per key', async () => {
    await keyv.setMany([
      { key: 'a', value: 1 },
      { key: 'c', value: 3 },
    ]);
    expect(await keyv.getMany(['a', 'b', 'c'])).toEqual([1, undefined, 3]);
    expect(await kvCount('getMany', 'hit', { 'db.system.name': 'redis' })).toBe(2);
    expect(await kvCount('getMany', 'miss', { 'db.system.name': 'redis' })).toBe(1);
  });
});

describeWithRedis('Redis stopped mid-test (a private redis-server, killed)', () => {
  it('counts calls after the server dies as errors, not misses, though Keyv answers undefined', async () => {
    const server = await startPrivateRedis();
    // The non-blocking client fails fast when offline (the default client queues commands and waits).
    const keyv = instrumentKeyv(createKeyvNonBlocking(`redis://127.0.0.1:${server.port}`, { namespace: 'private' }));
    const emitted: unknown[] = [];
    keyv.on('error', (error: unknown) => emitted.push(error));
    try {
      await keyv.set('k', 'v');
      expect(await keyv.get('k')).toBe('v');
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const after = await inParent(() => keyv.get('k'));
      expect(await keyv.get('k')).toBeUndefined();

      expect(after).toBeUndefined();
      expect(emitted.length).toBeGreaterThan(0);
      expect(await kvCount('get', 'hit', { 'db.collection.name': 'private' })).toBe(1);
      expect(await kvCount('get', 'error', { 'db.collection.name': 'private' })).toBe(2);
      expect(await kvCount('get', 'miss', { 'db.collection.name': 'private' })).toBe(0);
      const span = harness.span('get private');
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      // Which node-redis error depends on whether the client saw the socket close before the call.
      expect(['ClientOfflineError', 'SocketClosedUnexpectedlyError', 'ClientClosedError', 'ECONNREFUSED']).toContain(span.attributes['error.type']);
    } finally {
      await server.kill();
      await keyv.disconnect().catch(() => undefined);
    }
  });
});
