import type { ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

/** A service the tests talk to: where it listens, and the command that starts it on a Debian host. */
export interface ServiceSpec {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Shown when the service is down, so the reader can fix it rather than guess. */
  readonly start: string;
}

export const SERVICES = {
  redis: {
    name: 'Redis',
    host: process.env.REDIS_HOST ?? '127.0.0.1',
    port: Number(process.env.REDIS_PORT ?? 6379),
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no (or set REDIS_HOST / REDIS_PORT)',
  },
  postgres: {
    name: 'PostgreSQL',
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (trust auth, database test; or set PGHOST / PGPORT)',
  },
  mariadb: {
    name: 'MariaDB',
    host: process.env.MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.MYSQL_PORT ?? 3306),
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd (root, empty password; or set MYSQL_HOST / MYSQL_PORT)',
  },
} as const satisfies Record<string, ServiceSpec>;

/** A server program the tests start privately (a throwaway instance): how to find it and install it. */
export interface ToolSpec {
  readonly name: string;
  /** Shown when the program is missing, so the reader can fix it rather than guess. */
  readonly install: string;
  /** The program's path when installed, else undefined. */
  find(): string | undefined;
}

/**
 * Checks that a program is installed. With CI=true a missing one throws: a missing service is a
 * failure. Elsewhere it returns false after saying which suites are skipped and how to install it.
 */
export function requireTool(tool: ToolSpec): boolean {
  if (tool.find() !== undefined) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${tool.name} is not installed and CI=true, where a missing service fails the run. Install it: ${tool.install}`);
  }
  console.warn(`[threadline/testing] ${tool.name} is not installed: the suites that need it are skipped (with CI=true they fail). Install it: ${tool.install}`);
  return false;
}

/**
 * Checks a TCP service. With CI=true an unreachable one throws: a missing service is a failure.
 * Elsewhere it returns false after saying which suites are skipped and how to start the service.
 */
export async function requireService(service: ServiceSpec, timeoutMs = 2000): Promise<boolean> {
  const { name, host, port, start } = service;
  const up = await isPortOpen(host, port, timeoutMs);
  if (!up && process.env.CI === 'true') {
    throw new Error(`${name} is not reachable on ${host}:${port} and CI=true, where a missing service fails the run. Start it: ${start}`);
  }
  if (!up) console.warn(`[threadline/testing] ${name} is not reachable on ${host}:${port}: the suites that need it are skipped (with CI=true they fail). Start it: ${start}`);
  return up;
}

/**
 * The runner's `describe` for suites that need real services (running ones, `SERVICES`, or programs
 * they start privately, `TOOLS`): returned as is when all are there; with CI=true a missing one
 * fails the run; elsewhere its `.skip`, after saying why and how to start or install what is
 * missing. The runner is passed in, so this package stays importable from the CommonJS apps the
 * tests start.
 */
export async function describeWithServices<D extends { skip: unknown }>(describe: D, ...needs: (ServiceSpec | ToolSpec)[]): Promise<D> {
  let up = true;
  for (const need of needs) up = ('find' in need ? requireTool(need) : await requireService(need)) && up;
  return up ? describe : (describe.skip as D);
}

/** A name unique to this test process and call, for queues, tables and keys shared services see. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** True when a TCP connection to host:port succeeds within the timeout. */
export function isPortOpen(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until host:port accepts connections; fails early if `child` exits first. */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortOpen(host, port, 500))) {
    if (child && child.exitCode !== null) throw new Error(`process for ${host}:${port} exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not accept connections within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
