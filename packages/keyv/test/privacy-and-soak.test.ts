import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Keyv from 'keyv';
import { SpanStatusCode } from '@opentelemetry/api';
import { expectNoMarkers } from '@threadline/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv, KV_ATTR } from '../src/index.js';
import { conformance } from '@threadline/testing';
import { harness, inParent, kvCount } from './helpers.js';

beforeEach(() => harness.reset());

const SECRET_KEY = 'user:alice@example.com';
// Letters only: metric JSON holds timestamps and sums, whose digits could match a numeric secret.
const SECRET_VALUE = 'zebra-crossing-secret';

describe('privacy', () => {
  it('puts no key and no value in spans or metrics', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'private' }), { spans: 'always' });
    await keyv.set(SECRET_KEY, SECRET_VALUE);
    await keyv.get(SECRET_KEY);
    await keyv.getMany([SECRET_KEY, `${SECRET_KEY}:2`]);
    await keyv.has(SECRET_KEY);
    await keyv.delete(SECRET_KEY);
    const telemetry = JSON.stringify({
      spans: harness.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
      metrics: await harness.collectMetrics(),
    });
    expect(harness.spans().length).toBe(5);
    expect(telemetry).not.toContain('alice');
    expect(telemetry).not.toContain('zebra');
  });

  it('captures a salted key hash only when asked, never the key', async () => {
    conformance.optIn(KV_ATTR.KEY_HASH);
    const keyv = instrumentKeyv(new Keyv({ namespace: 'hashed' }), { captureKeyHash: true, keyHashSalt: 'pepper' });
    await inParent(() => keyv.get(SECRET_KEY));
    const hash = harness.span('get hashed').attributes['threadline.kv.key.hash'];
    expect(hash).toBe(createHash('sha256').update('pepper').update(SECRET_KEY).digest('hex').slice(0, 16));

    harness.reset();
    const plain = instrumentKeyv(new Keyv({ namespace: 'plain' }));
    await inParent(() => plain.get(SECRET_KEY));
    expect(harness.span('get plain').attributes['threadline.kv.key.hash']).toBeUndefined();
  });
});

describe('store errors that quote the key', () => {
  // Drivers and adapters name the key in their messages ("WRONGTYPE ... key", "cannot read <key>").
  const quotingStore = () => {
    const data = new Map<string, unknown>();
    const fail = (key: string) => {
      throw Object.assign(new Error(`store timed out reading "${key}"`), { code: 'ETIMEDOUT' });
    };
    return {
      data,
      get: async (key: string) => fail(key),
      set: async (key: string) => fail(key),
      delete: async (key: string) => fail(key),
      has: async (key: string) => fail(key),
      clear: async () => data.clear(),
    };
  };

  it('record error.type and an exception event without the message: the key reaches no status, event or stack', async () => {
    const keyv = instrumentKeyv(new Keyv({ store: quotingStore(), namespace: 'quoting' }), { spans: 'always' });
    keyv.on('error', () => undefined);
    await keyv.get(SECRET_KEY);
    await keyv.set(SECRET_KEY, SECRET_VALUE);
    await keyv.has(SECRET_KEY);
    await keyv.delete(SECRET_KEY);

    const span = harness.span('get quoting');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('ETIMEDOUT');
    expect(span.events.map((event) => event.attributes)).toEqual([{ 'exception.type': 'ETIMEDOUT' }]);
    expect(await kvCount('get', 'error')).toBe(1);
    await expectNoMarkers(harness, [SECRET_KEY, SECRET_VALUE]);
  });
});

describe('bounded', () => {
  it('100k operations keep memory flat and the series count fixed', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const keyv = instrumentKeyv(new Keyv({ namespace: 'soak' }));
    await keyv.set('present', 1);
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) await keyv.get(i % 2 === 0 ? 'present' : `absent-${i}`);
    };
    await run(10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    await run(100_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;

    expect(grown).toBeLessThan(2 * 1024 * 1024);
    expect(await kvCount('get', 'hit')).toBe(55_000);
    expect(await kvCount('get', 'miss')).toBe(55_000);
    expect(harness.collector.instrument('threadline.kv.operations')?.seriesCount).toBe(3);
    expect(harness.spans()).toHaveLength(0);
  });
});
