import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMQInstrumentation, watchQueueDepth, type QueueDepthSource } from '../src/index.js';
import { connection, LINES, Resources, sleep } from './helpers.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

async function depth(queue: string, state: string): Promise<number> {
  return (await harness.metricPoint<number>('threadline.bullmq.queue.jobs', { 'messaging.destination.name': queue, 'threadline.bullmq.job.state': state })).value;
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
      const source = queue as unknown as QueueDepthSource;
      const client = (await (source.getBackend ? source.getBackend().client : source.client)) as Record<string, unknown>;
      let calls = 0;
      const counted = typeof client.runCommand === 'function' ? 'runCommand' : 'threadlineQueueDepth';
      await watch.poll();
      const original = client[counted] as (...args: unknown[]) => unknown;
      client[counted] = function (this: unknown, ...args: unknown[]) {
        calls++;
        return original.apply(this, args);
      };
      await sleep(1100);
      await watch.poll();
      client[counted] = original;
      expect(calls).toBe(1);
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

describe('watchQueueDepth options', () => {
  it('is off unless given an interval, and refuses intervals under a second', () => {
    expect(() => watchQueueDepth([], { intervalMs: 10 })).toThrow(/≥ 1000/);
    expect(() => watchQueueDepth([], {} as never)).toThrow(/intervalMs/);
  });
});
