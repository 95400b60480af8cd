import type { ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

/**
 * Checks a TCP service. Outside CI a missing service lets a suite skip with a reason; with
 * CI=true it is a failure, as the project's standards require.
 */
export async function requireService(name: string, host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  const up = await isPortOpen(host, port, timeoutMs);
  if (!up && process.env.CI === 'true') {
    throw new Error(`${name} is not reachable on ${host}:${port} and CI=true: start it (see DEVELOPERS.md) instead of skipping`);
  }
  if (!up) console.warn(`[threadline/testing] ${name} not reachable on ${host}:${port}: its tests are skipped`);
  return up;
}

export const SERVICES = {
  redis: { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) },
  postgres: { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432) },
  mariadb: { host: process.env.MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306) },
} as const;

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
