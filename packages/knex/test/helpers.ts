import { trace, type Span } from '@opentelemetry/api';
import { SERVICES, uniqueName } from '@threadline/testing';
import knex3 from 'knex';
import knex2 from 'knex2';

export type Knex = ReturnType<typeof knex3>;
export type KnexFactory = typeof knex3;

/** The two knex lines the plugin supports, tested side by side. */
export const LINES = [
  { line: 'knex 3', factory: knex3 },
  { line: 'knex 2', factory: knex2 as unknown as KnexFactory },
] as const;

export const PG_CONNECTION = { host: SERVICES.postgres.host, port: SERVICES.postgres.port, user: 'postgres', database: 'test' };
export const MARIADB_CONNECTION = { host: SERVICES.mariadb.host, port: SERVICES.mariadb.port, user: 'root', password: '' };

export function pg(factory: KnexFactory = knex3, pool: { min?: number; max?: number } = { min: 0, max: 4 }): Knex {
  return factory({ client: 'pg', connection: PG_CONNECTION, pool });
}

export function tableName(prefix = 'tl_knex'): string {
  return uniqueName(prefix).toLowerCase();
}

/** Runs `fn` inside an active root span named `name` and ends it afterwards. */
export async function withRoot<T>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer('test').startActiveSpan(name, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

/** A TCP port nothing listens on: a server is bound, its port read, then closed. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
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

/** Settles pending microtasks and one macrotask, so pool gauges (sampled in a microtask) are current. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `check` until it holds (fails after `timeoutMs`): for states reached through real I/O. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
