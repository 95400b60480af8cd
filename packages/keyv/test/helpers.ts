import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { trace, type Span } from '@opentelemetry/api';
import { setupTelemetry, type TelemetryHarness } from '@threadline/testing';

export const harness: TelemetryHarness = setupTelemetry();

/** Runs `fn` inside an active parent span and ends it. */
export async function inParent<T>(fn: (parent: Span) => Promise<T>, name = 'request'): Promise<T> {
  return trace.getTracer('test').startActiveSpan(name, async (parent) => {
    try {
      return await fn(parent);
    } finally {
      parent.end();
    }
  });
}

/** kv.operations value for op/result (0 when the series does not exist). */
export async function kvCount(op: string, result: string, extra: Record<string, string> = {}): Promise<number> {
  const point = await harness.findMetricPoint<number>('kv.operations', { 'kv.operation': op, 'kv.result': result, ...extra });
  return point?.value ?? 0;
}

export class StoreDown extends Error {
  readonly code = 'ESTOREDOWN';
}

/**
 * A Keyv 6 / 5 compatible async store backed by a Map that throws `StoreDown` for keys in
 * `failing` (or for everything when `failAll`), and records the active span of each call.
 */
export function throwingStore(failing: ReadonlySet<string> = new Set(), failAll = false) {
  const data = new Map<string, unknown>();
  const seenSpans: Array<Span | undefined> = [];
  const check = (key: string) => {
    seenSpans.push(trace.getActiveSpan());
    if (failAll || [...failing].some((f) => key.endsWith(f))) throw new StoreDown(`store down for a key`);
  };
  return {
    seenSpans,
    data,
    async get(key: string) {
      check(key);
      return data.get(key);
    },
    async set(key: string, value: unknown) {
      check(key);
      data.set(key, value);
      return true;
    },
    async delete(key: string) {
      check(key);
      return data.delete(key);
    },
    async clear() {
      if (failAll) throw new StoreDown('store down');
      data.clear();
    },
    async has(key: string) {
      check(key);
      return data.has(key);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server on a free port, for tests that kill it (never the shared one). */
export async function startPrivateRedis(): Promise<{ port: number; process: ChildProcess; kill: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new Error(`private redis-server did not start on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return { port, process: child, kill };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
