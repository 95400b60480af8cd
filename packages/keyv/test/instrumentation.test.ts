import { createRequire } from 'node:module';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv, KeyvInstrumentation } from '../src/index.js';
import { harness, inParent, kvCount } from './helpers.js';

const instrumentation = new KeyvInstrumentation({ spans: 'with-parent' });
instrumentation.setTracerProvider(harness.tracerProvider);
instrumentation.setMeterProvider(harness.meterProvider);
// Loaded after enabling, through require, so the module hook patches Keyv's prototype.
const { Keyv } = createRequire(import.meta.url)('keyv') as typeof import('keyv');

beforeEach(() => harness.reset());
afterAll(() => instrumentation.disable());

describe('KeyvInstrumentation (module patching)', () => {
  it('instruments every Keyv created, with the same telemetry as instrumentKeyv', async () => {
    const keyv = new Keyv({ namespace: 'patched' });
    await inParent(async () => {
      await keyv.set('a', 1);
      await keyv.get('a');
      await keyv.get('b');
    });
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'patched' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'patched' })).toBe(1);
    expect(harness.span('set patched').attributes['db.system.name']).toBe('keyv.memory');
  });

  it('never double-counts an instance also passed to instrumentKeyv, whose options then apply', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'both' }), { spans: 'never' });
    await inParent(() => keyv.get('a'));
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'both' })).toBe(1);
    expect(harness.spansNamed('get both')).toHaveLength(0);
  });

  it('restores the original methods on disable', async () => {
    instrumentation.disable();
    try {
      const keyv = new Keyv({ namespace: 'off' });
      await keyv.get('a');
      expect(await kvCount('get', 'miss', { 'db.collection.name': 'off' })).toBe(0);
    } finally {
      instrumentation.enable();
    }
  });

  it('rejects a bad config at construction', () => {
    expect(() => new KeyvInstrumentation({ spans: 'yes' as never })).toThrow(/spans must be/);
  });
});
