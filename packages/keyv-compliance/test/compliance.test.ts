import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import KeyvRedis5 from '@keyv/redis';
import { instrumentKeyv } from '@threadline/keyv';
import { setupTelemetry, startPrivateRedis, type PrivateService } from '@threadline/testing';
import Keyv5 from 'keyv';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, createExpect, describe, expect, it } from 'vitest';

/**
 * Keyv's published adapter compliance suite, run twice per Keyv line and store: on plain Keyv and
 * on Keyv instrumented by threadline (spans on every call). Each suite test's outcome (passed, or
 * the first line of its failure) must be the same both ways. The suite peers on keyv 5; keyv 6
 * and @keyv/redis 6 are the copies @threadline/keyv's own tests use.
 */
const requireFromKeyvPackage = createRequire(new URL('../../keyv/package.json', import.meta.url));
const Keyv6 = requireFromKeyvPackage('keyv').default as typeof Keyv5;
const KeyvRedis6 = requireFromKeyvPackage('@keyv/redis').default as typeof KeyvRedis5;

const harness = setupTelemetry();

type Fn = (t: { expect: typeof expect }) => unknown;
type KeyvClass = new (...args: never[]) => object;
interface Collected {
  readonly tests: Array<{ name: string; fn: Fn }>;
  readonly beforeEach: Fn[];
  readonly afterEach: Fn[];
}

/** Registers the suite against a vitest-shaped collector instead of vitest, so outcomes can be compared. */
function collect(Keyv: KeyvClass, store: () => unknown): Collected {
  const collected: Collected = { tests: [], beforeEach: [], afterEach: [] };
  const api = {
    it: (name: string, fn: Fn) => collected.tests.push({ name, fn }),
    beforeEach: (fn: Fn) => collected.beforeEach.push(fn),
    afterEach: (fn: Fn) => collected.afterEach.push(fn),
  };
  keyvTestSuite(api as never, Keyv as never, store as never);
  keyvIteratorTests(api as never, Keyv as never, store as never);
  return collected;
}

async function outcomes(collected: Collected, cleanup: () => Promise<void>): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const { name, fn } of collected.tests) {
    // Each suite test gets its own expect: its expect.assertions(n) must not count against ours.
    const t = { expect: createExpect() };
    try {
      for (const hook of collected.beforeEach) await hook(t);
      await fn(t);
      result[name] = 'passed';
    } catch (error) {
      result[name] = `failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`;
    } finally {
      for (const hook of collected.afterEach) await Promise.resolve(hook(t)).catch(() => undefined);
      await cleanup();
    }
  }
  return result;
}

function instrumented(Keyv: KeyvClass): KeyvClass {
  return class InstrumentedKeyv extends (Keyv as new (...args: unknown[]) => object) {
    constructor(...args: unknown[]) {
      super(...args);
      instrumentKeyv(this, { spans: 'always' });
    }
  };
}

/** Every store the suite creates, so Redis connections are closed after each test. */
function tracked(create: () => { disconnect?: () => Promise<unknown> } | Map<unknown, unknown>) {
  const open: Array<{ disconnect?: () => Promise<unknown> }> = [];
  return {
    store: () => {
      const store = create();
      open.push(store as { disconnect?: () => Promise<unknown> });
      return store;
    },
    cleanup: async () => {
      for (const store of open.splice(0)) await store.disconnect?.().catch(() => undefined);
    },
  };
}

let redis: PrivateService;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(() => redis?.stop());

const CASES = [
  { line: 'keyv 5', store: 'memory', Keyv: Keyv5, create: () => new Map() },
  { line: 'keyv 5', store: 'redis', Keyv: Keyv5, create: () => new KeyvRedis5(`redis://${redis.host}:${redis.port}`) },
  { line: 'keyv 6', store: 'memory', Keyv: Keyv6, create: () => new Map() },
  { line: 'keyv 6', store: 'redis', Keyv: Keyv6, create: () => new KeyvRedis6(`redis://${redis.host}:${redis.port}`) },
] as const;

describe.each(CASES)('@keyv/test-suite on $line, $store store', ({ Keyv, create }) => {
  it('gives the same result for every test with threadline as without', async () => {
    const plainStores = tracked(create as never);
    const plain = await outcomes(collect(Keyv as KeyvClass, plainStores.store), plainStores.cleanup);
    harness.reset();
    const ourStores = tracked(create as never);
    const ours = await outcomes(collect(instrumented(Keyv as KeyvClass), ourStores.store), ourStores.cleanup);

    expect(ours).toEqual(plain);
    const passed = Object.values(plain).filter((outcome) => outcome === 'passed').length;
    expect(Object.keys(plain).length).toBeGreaterThanOrEqual(40);
    expect(passed).toBeGreaterThanOrEqual(Object.keys(plain).length - 6);
    console.log(`${Object.keys(plain).length} suite tests, ${passed} passed on plain Keyv; not passing both ways: ${JSON.stringify(Object.entries(plain).filter(([, o]) => o !== 'passed'))}`);
    // The instrumented runs really were instrumented.
    expect(harness.spans().length).toBeGreaterThan(100);
  });
});

describe('self-test', () => {
  it('the comparison fails for a wrapper that changes Keyv behaviour (has() always false)', async () => {
    const Broken = class extends (Keyv6 as unknown as new (...args: unknown[]) => { has(key: string): Promise<boolean> }) {
      override async has(): Promise<boolean> {
        return false;
      }
    };
    const stores = tracked(() => new Map());
    const plain = await outcomes(collect(Keyv6 as KeyvClass, stores.store), stores.cleanup);
    const broken = await outcomes(collect(Broken as unknown as KeyvClass, stores.store), stores.cleanup);
    expect(broken).not.toEqual(plain);
    expect(Object.entries(broken).filter(([name, outcome]) => outcome !== plain[name]).length).toBeGreaterThan(0);
  });
});
