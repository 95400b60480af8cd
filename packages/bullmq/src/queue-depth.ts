import { createHash } from 'node:crypto';
import { ATTR, TelemetryBoundary, METRICS, countDropped, defineMetrics, type GaugeSeries } from '@threadline/core';
import { MESSAGING_SYSTEM } from './semconv.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './version.js';

export const JOB_STATE_ATTR = 'threadline.bullmq.job.state';
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

// One read-only script, so one round trip per queue per poll: the counts of every state, the
// server clock, and the due time (timestamp + delay) of the job at the head of `wait` / `paused`.
const DEPTH_SCRIPT = `
local n = {}
n[1] = redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2])
n[2] = redis.call('LLEN', KEYS[3])
for i = 4, 8 do n[i - 1] = redis.call('ZCARD', KEYS[i]) end
local t = redis.call('TIME')
n[8] = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
n[9] = -1
local id = redis.call('LINDEX', KEYS[1], -1)
if not id then id = redis.call('LINDEX', KEYS[2], -1) end
if id then
  local f = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'delay')
  if f[1] then n[9] = tonumber(f[1]) + (tonumber(f[2]) or 0) end
end
return n`;
const DEPTH_SCRIPT_SHA = createHash('sha1').update(DEPTH_SCRIPT).digest('hex');
const KEY_NAMES = ['wait', 'paused', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/** The parts of a BullMQ Queue (or Worker) the poller reads: its name, keys and Redis client. */
export interface QueueDepthSource {
  readonly name: string;
  readonly keys: Readonly<Record<string, string>>;
  /** bullmq 5: the Redis client. */
  readonly client?: Promise<unknown>;
  /** bullmq 6: the backend owning the Redis client. */
  getBackend?(): { readonly client?: Promise<unknown> };
  toKey(type: string): string;
  readonly closing?: Promise<void> | undefined;
}

export interface QueueDepthOptions {
  /** Poll interval, ms (≥ 1000). Each poll costs one Redis round trip per queue. */
  readonly intervalMs: number;
}

export interface QueueDepthWatch {
  /** Starts watching another queue (one per queue name; a second source of the same queue is ignored). */
  add(queue: QueueDepthSource): void;
  /** Polls every watched queue now; resolves when all answered (errors are counted, never thrown). */
  poll(): Promise<void>;
  stop(): void;
}

const gauges = defineMetrics((collector) => ({
  jobs: collector.gauge({ ...METRICS.BULLMQ_QUEUE_JOBS, labelKeys: [ATTR.MESSAGING_SYSTEM, ATTR.MESSAGING_DESTINATION_NAME, JOB_STATE_ATTR] }),
  oldest: collector.gauge({ ...METRICS.BULLMQ_QUEUE_OLDEST_WAITING_AGE, labelKeys: [ATTR.MESSAGING_SYSTEM, ATTR.MESSAGING_DESTINATION_NAME] }),
}), { name: INSTRUMENTATION_NAME, version: INSTRUMENTATION_VERSION });

interface Watched {
  readonly source: QueueDepthSource;
  readonly args: string[];
  series?: { owner: unknown; counts: GaugeSeries[]; oldest: GaugeSeries };
}

/**
 * Polls the depth of the queues it is given on a timer of its own (unref'd), never on the job path.
 * Off unless started: `watchQueueDepth(queues, { intervalMs })` or the instrumentation's
 * `queueDepthIntervalMs`.
 */
export function watchQueueDepth(queues: Iterable<QueueDepthSource>, options: QueueDepthOptions): QueueDepthWatch {
  const intervalMs = options?.intervalMs;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 1000) {
    throw new TypeError(`@threadline/bullmq: queue depth intervalMs must be a number of milliseconds ≥ 1000, got ${String(intervalMs)}`);
  }
  const boundary = new TelemetryBoundary('@threadline/bullmq queue depth');
  const watched = new Map<string, Watched>();
  let polling: Promise<void> | undefined;

  const add = (queue: QueueDepthSource) =>
    boundary.run(() => {
      const key = queue.toKey('');
      if (watched.has(key)) return;
      watched.set(key, { source: queue, args: [...KEY_NAMES.map((name) => queue.keys[name] ?? queue.toKey(name)), key] });
    }, undefined);

  const pollOne = async (entry: Watched): Promise<void> => {
    if (entry.source.closing) {
      watched.delete(entry.source.toKey(''));
      return;
    }
    const client = (await redisClient(entry.source)) as ScriptClient;
    const reply = await runScript(client, entry.args);
    boundary.run(() => record(entry, reply), undefined);
  };

  const poll = (): Promise<void> => {
    // A slow Redis never stacks polls: the next tick waits for this one.
    // A failed poll (Redis down, unsupported client) costs that poll's gauges; it is counted.
    polling ??= Promise.all([...watched.values()].map((entry) => pollOne(entry).catch(() => countDropped('queue_depth_error')))).then(() => {
      polling = undefined;
    });
    return polling;
  };

  for (const queue of queues) add(queue);
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return { add, poll, stop: () => clearInterval(timer) };
}

function record(entry: Watched, reply: unknown): void {
  if (!Array.isArray(reply) || reply.length < 9) return;
  const metrics = gauges();
  if (entry.series?.owner !== metrics) {
    const queue = { [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM, [ATTR.MESSAGING_DESTINATION_NAME]: entry.source.name };
    entry.series = { owner: metrics, counts: STATES.map((state) => metrics.jobs.bind({ ...queue, [JOB_STATE_ATTR]: state })), oldest: metrics.oldest.bind(queue) };
  }
  const { counts, oldest } = entry.series;
  for (let i = 0; i < STATES.length; i++) counts[i]!.set(Number(reply[i]));
  const now = Number(reply[7]);
  const due = Number(reply[8]);
  oldest.set(due >= 0 && now >= due ? (now - due) / 1000 : 0);
}

function redisClient(source: QueueDepthSource): Promise<unknown> | undefined {
  return typeof source.getBackend === 'function' ? source.getBackend().client : source.client;
}

/** The ioredis commands the poller calls: built-in methods of the client, nothing defined on it. */
type IORedisLike = {
  evalsha?(sha: string, numberOfKeys: number, ...args: string[]): Promise<unknown>;
  eval?(script: string, numberOfKeys: number, ...args: string[]): Promise<unknown>;
};

/** node-redis (`@redis/client`) 4+: what bullmq 6's node-redis adapter keeps as `raw` (the app's client). */
type NodeRedisLike = {
  evalSha?(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval?(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
};

type ScriptClient = IORedisLike & { raw?: NodeRedisLike };

const isNoScript = (error: unknown) => String((error as Error | undefined)?.message).includes('NOSCRIPT');

/**
 * EVALSHA, then EVAL when the server does not know the script (first poll, restart, SCRIPT FLUSH),
 * through the client's own built-in commands. Not `defineCommand`: that leaves a named command
 * (own properties and a defined-script entry) on the app's client. bullmq 5 hands over ioredis
 * itself; bullmq 6's ioredis wrapper forwards these methods to it; its node-redis adapter keeps the
 * app's node-redis client as `raw`. bullmq 6's Bun and Valkey GLIDE adapters are not polled (each
 * poll counts a telemetry error).
 */
async function runScript(client: ScriptClient, args: string[]): Promise<unknown> {
  if (client === null || typeof client !== 'object') throw new Error('no Redis client');
  if (typeof client.evalsha === 'function' && typeof client.eval === 'function') {
    const keys = args.length - 1;
    try {
      return await client.evalsha(DEPTH_SCRIPT_SHA, keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(DEPTH_SCRIPT, keys, ...args);
    }
  }
  const raw = client.raw;
  if (raw !== null && typeof raw === 'object' && typeof raw.evalSha === 'function' && typeof raw.eval === 'function') {
    const options = { keys: args.slice(0, -1), arguments: args.slice(-1) };
    try {
      return await raw.evalSha(DEPTH_SCRIPT_SHA, options);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return raw.eval(DEPTH_SCRIPT, options);
    }
  }
  throw new Error('unsupported Redis client: neither ioredis- nor node-redis-style evalsha / eval');
}
