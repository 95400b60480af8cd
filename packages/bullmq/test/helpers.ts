import * as bullmq6 from 'bullmq';
import * as bullmq5 from 'bullmq5';
import { SERVICES, uniqueName } from '@threadline/testing';
import { bullmqTelemetry } from '../src/index.js';

/** The two BullMQ lines the plugin supports, tested side by side. */
export const LINES = [
  { line: 'bullmq 6', lib: bullmq6 as unknown as typeof bullmq6 },
  { line: 'bullmq 5', lib: bullmq5 as unknown as typeof bullmq6 },
] as const;

export type BullMQ = typeof bullmq6;

export const connection = { host: SERVICES.redis.host, port: SERVICES.redis.port };

type Closable = { close(): Promise<unknown> };

/** Tracks what a test opens so it can be closed, and its queues obliterated, afterwards. */
export class Resources {
  private readonly closables: Closable[] = [];
  private readonly queues: Array<{ obliterate(o: { force: boolean }): Promise<unknown> }> = [];

  name(prefix = 'tl_bullmq'): string {
    return uniqueName(prefix);
  }

  track<T extends Closable>(thing: T): T {
    this.closables.push(thing);
    return thing;
  }

  queue<T extends Closable & { obliterate(o: { force: boolean }): Promise<unknown> }>(queue: T): T {
    this.queues.push(queue);
    return queue;
  }

  /** A fresh queue on `lib` with its own explicit adapter: what most tests start from. */
  adapterQueue(lib: BullMQ, options: Parameters<typeof bullmqTelemetry>[0] = {}) {
    const telemetry = bullmqTelemetry(options);
    const name = this.name();
    const queue = this.queue(new lib.Queue(name, { connection, telemetry }));
    return { telemetry, name, queue };
  }

  /** Closes workers and producers first, then obliterates this test's queues and closes them. */
  async cleanup(): Promise<void> {
    for (const thing of [...this.closables].reverse()) await thing.close().catch(() => undefined);
    for (const queue of this.queues) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await (queue as unknown as Closable).close().catch(() => undefined);
    }
    this.closables.length = 0;
    this.queues.length = 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `count` jobs finished (completed or finally failed) on the worker. */
export function settled(worker: { on(event: string, fn: (...args: unknown[]) => void): unknown }, count: number, finalOnly = true): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      if (++seen === count) resolve();
    };
    worker.on('completed', done);
    worker.on('failed', (job: unknown) => {
      const j = job as { attemptsMade: number; opts: { attempts?: number } } | undefined;
      if (!finalOnly || !j || j.attemptsMade >= (j.opts.attempts ?? 1)) done();
    });
  });
}
