import { createClient } from '@redis/client';
import * as bullmq6 from 'bullmq';
import { describeWithServices, SERVICES, setupTelemetry, uniqueName } from '@threadline/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMQInstrumentation, watchQueueDepth, type QueueDepthSource } from '../src/index.js';
import { connection, LINES, Resources, sleep } from './helpers.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

async function depth(queue: string, state: string): Promise<number> {
  return (await harness.metricPoint<number>('threadline.bullmq.queue.jobs', { 'messaging.destination.name': queue, 'threadline.bullmq.job.state': state })).value;
}

type RedisClient = Record<string, unknown> & { scriptsSet?: Record<string, unknown> };

/** The queue's Redis client: ioredis itself (bullmq 5) or bullmq 6's wrapper around it. */
async function clientOf(queue: unknown): Promise<RedisClient> {
  const source = queue as QueueDepthSource;
  return (await (source.getBackend ? source.getBackend().client : source.client)) as RedisClient;
}

/** What an app can see on its client: own names (enumerable or not, symbols too) and the commands defined on it. */
function surface(client: RedisClient) {
  return {
    keys: Object.keys(client).sort(),
    own: Object.getOwnPropertyNames(client).sort(),
    symbols: Object.getOwnPropertySymbols(client).map(String).sort(),
    commands: Object.keys(client.scriptsSet ?? {}).sort(),
  };
}

/** Counts evalsha / eval calls (own properties set by the test only, removed by the returned function). */
function spy(client: RedisClient, calls: { evalsha: number; eval: number }): () => void {
  const originals = { evalsha: client.evalsha, eval: client.eval } as Record<'evalsha' | 'eval', (...args: unknown[]) => unknown>;
  const hadOwn = { evalsha: Object.hasOwn(client, 'evalsha'), eval: Object.hasOwn(client, 'eval') };
  for (const method of ['evalsha', 'eval'] as const) {
    client[method] = function (this: unknown, ...args: unknown[]) {
      calls[method]++;
      return originals[method].apply(this, args);
    };
  }
  return () => {
    for (const method of ['evalsha', 'eval'] as const) {
      if (hadOwn[method]) client[method] = originals[method];
      else delete client[method];
    }
  };
}

describeWithRedis.each(LINES)('queue depth gauges ($line, real Redis)', ({ lib }) => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  it('counts jobs by state and the age of the oldest waiting job, one script call per queue per poll', async () => {
    harness.reset();
    const name = resources.name();
    const queue = resources.queue(new lib.Queue(name, { connection }));
    await queue.add('first', { n: 1 });
    await queue.add('second', { n: 2 });
    await queue.add('later', { n: 3 }, { delay: 60_000 });
    await queue.add('urgent', { n: 4 }, { priority: 1 });
    const watch = watchQueueDepth([queue as unknown as QueueDepthSource], { intervalMs: 60_000 });
    try {
      const client = await clientOf(queue);
      await watch.poll();
      const calls = { evalsha: 0, eval: 0 };
      const restore = spy(client, calls);
      await sleep(1100);
      await watch.poll();
      restore();
      // The server knows the script after the first poll: one EVALSHA, no EVAL.
      expect(calls).toEqual({ evalsha: 1, eval: 0 });
      expect(await depth(name, 'waiting')).toBe(2);
      expect(await depth(name, 'delayed')).toBe(1);
      expect(await depth(name, 'prioritized')).toBe(1);
      expect(await depth(name, 'active')).toBe(0);
      expect(await depth(name, 'completed')).toBe(0);
      const age = (await harness.metricPoint<number>('threadline.bullmq.queue.oldest_waiting.age', { 'messaging.destination.name': name })).value;
      expect(age).toBeGreaterThanOrEqual(1);
      expect(age).toBeLessThan(30);
    } finally {
      watch.stop();
    }
  });

  it('leaves nothing on the app\'s Redis client: own properties and defined commands identical with polling on and off', async () => {
    harness.reset();
    const name = resources.name();
    const queue = resources.queue(new lib.Queue(name, { connection }));
    await queue.add('first', { n: 1 });
    await queue.add('later', { n: 2 }, { delay: 60_000 });
    const client = await clientOf(queue);
    const before = surface(client);
    expect(before.commands.length).toBeGreaterThan(0); // BullMQ's own scripts: the check can see a defined command
    const watch = watchQueueDepth([queue as unknown as QueueDepthSource], { intervalMs: 1000 });
    try {
      await watch.poll();
      await sleep(1100); // one timer tick as well
      await watch.poll();
      expect(surface(client)).toEqual(before);
      expect(await depth(name, 'waiting')).toBe(1);
      expect(await depth(name, 'delayed')).toBe(1);
      const age = (await harness.metricPoint<number>('threadline.bullmq.queue.oldest_waiting.age', { 'messaging.destination.name': name })).value;
      expect(age).toBeGreaterThanOrEqual(1);
    } finally {
      watch.stop();
    }
    expect(surface(client)).toEqual(before);
  });

  it('falls back to EVAL when the server answers NOSCRIPT', async () => {
    harness.reset();
    const name = resources.name();
    const queue = resources.queue(new lib.Queue(name, { connection }));
    await queue.add('first', { n: 1 });
    const client = await clientOf(queue);
    const calls = { evalsha: 0, eval: 0 };
    const raw = client as unknown as Record<string, unknown>;
    // What a server says after a restart or SCRIPT FLUSH (not run here: Redis is shared).
    raw.evalsha = () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    const restore = spy(client, calls);
    const watch = watchQueueDepth([queue as unknown as QueueDepthSource], { intervalMs: 60_000 });
    try {
      await watch.poll();
      expect(calls).toEqual({ evalsha: 1, eval: 1 });
      expect(await depth(name, 'waiting')).toBe(1);
    } finally {
      watch.stop();
      restore();
      delete raw.evalsha;
    }
  });

  it('reads 0 age once nothing waits, and a closed queue is dropped from the poll', async () => {
    harness.reset();
    const name = resources.name();
    const queue = resources.queue(new lib.Queue(name, { connection }));
    const watch = watchQueueDepth([queue as unknown as QueueDepthSource], { intervalMs: 60_000 });
    try {
      await watch.poll();
      expect(await depth(name, 'waiting')).toBe(0);
      expect((await harness.metricPoint<number>('threadline.bullmq.queue.oldest_waiting.age', { 'messaging.destination.name': name })).value).toBe(0);
      await queue.close();
      await watch.poll();
    } finally {
      watch.stop();
    }
  });
});

describeWithRedis.each(LINES)('queueDepthIntervalMs on BullMQInstrumentation ($line)', ({ lib }) => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  it('watches each queue the app opened once it is used; off by default', async () => {
    harness.reset();
    const off = new BullMQInstrumentation({ enabled: false });
    expect(off.queueDepth).toBeUndefined();
    const instrumentation = new BullMQInstrumentation({ enabled: false, queueDepthIntervalMs: 60_000 });
    instrumentation.enable();
    instrumentation.patch(lib);
    try {
      const name = resources.name();
      const queue = resources.queue(new lib.Queue(name, { connection }));
      await queue.add('one', {});
      await queue.add('two', {});
      await instrumentation.queueDepth!.poll();
      expect(await depth(name, 'waiting')).toBe(2);
    } finally {
      instrumentation.unpatch(lib);
      instrumentation.disable();
    }
  });
});

describeWithRedis('queue depth on bullmq 6 with the app\'s node-redis client (real Redis)', () => {
  it('polls through the client\'s own evalSha / eval (EVAL on NOSCRIPT) and leaves nothing on it', async () => {
    harness.reset();
    const app = createClient({ url: `redis://${SERVICES.redis.host}:${SERVICES.redis.port}` });
    await app.connect();
    const name = uniqueName('tl_bullmq_nr');
    const queue = new bullmq6.Queue(name, { connection: app as never });
    const watch = watchQueueDepth([queue as unknown as QueueDepthSource], { intervalMs: 60_000 });
    const raw = app as unknown as Record<string, unknown>;
    try {
      await queue.add('first', { n: 1 });
      await queue.add('later', { n: 2 }, { delay: 60_000 });
      // bullmq 6 wraps it in its node-redis adapter, which keeps the app's client as `raw`.
      const adapter = (await clientOf(queue)) as RedisClient & { raw: unknown; scripts: Map<string, unknown> };
      expect(adapter.raw).toBe(app);
      const seen = () => ({ app: surface(raw), adapter: surface(adapter), scripts: [...adapter.scripts.keys()].sort() });
      const before = seen();
      await watch.poll();
      expect(await depth(name, 'waiting')).toBe(1);
      expect(await depth(name, 'delayed')).toBe(1);
      expect(seen()).toEqual(before);
      await queue.add('second', { n: 3 });
      // Stubbed only around the poll: BullMQ's own scripts go through the same client.
      let evals = 0;
      const evalOriginal = app.eval.bind(app);
      raw.evalSha = () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      raw.eval = (...args: unknown[]) => {
        evals++;
        return (evalOriginal as (...a: unknown[]) => unknown)(...args);
      };
      await watch.poll();
      expect(evals).toBe(1);
      expect(await depth(name, 'waiting')).toBe(2);
    } finally {
      watch.stop();
      delete raw.evalSha;
      delete raw.eval;
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close().catch(() => undefined);
      await app.quit().catch(() => undefined);
    }
  });
});

describe('watchQueueDepth on a client without ioredis-style eval', () => {
  it('skips the poll and counts it as dropped telemetry, never throws', async () => {
    harness.reset();
    // A bullmq 6 adapter other than ioredis (node-redis, Bun, GLIDE): runCommand, no eval / evalsha.
    const source: QueueDepthSource = {
      name: 'tl_bullmq_no_eval',
      keys: {},
      client: Promise.resolve({ runCommand: () => Promise.resolve([]) }),
      toKey: (type) => `bull:tl_bullmq_no_eval:${type}`,
    };
    const watch = watchQueueDepth([source], { intervalMs: 60_000 });
    try {
      await watch.poll();
      expect((await harness.metricPoint<number>('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'queue_depth_error' })).value).toBe(1);
    } finally {
      watch.stop();
    }
  });
});

describe('watchQueueDepth options', () => {
  it('is off unless given an interval, and refuses intervals under a second', () => {
    expect(() => watchQueueDepth([], { intervalMs: 10 })).toThrow(/≥ 1000/);
    expect(() => watchQueueDepth([], {} as never)).toThrow(/intervalMs/);
  });
});
