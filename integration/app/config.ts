/** Everything the example app reads from its environment, with local defaults. */
export const config = {
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisHost: process.env.REDIS_HOST ?? '127.0.0.1',
  redisPort: Number(process.env.REDIS_PORT ?? 6379),
  queueName: process.env.ORDERS_QUEUE ?? 'orders',
  cdcSlot: process.env.CDC_SLOT ?? 'orders_cdc',
  cdcPublication: process.env.CDC_PUBLICATION ?? 'orders_pub',
  downstreamUrl: process.env.DOWNSTREAM_URL ?? 'http://127.0.0.1:3001',
  port: Number(process.env.PORT ?? 0),
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '',
  temporalTaskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'orders',
};

export const redisUrl = `redis://${config.redisHost}:${config.redisPort}`;

/** The orders table the API writes and the CDC consumer streams. */
export const ORDERS_TABLE_SQL = `
  create table if not exists orders (
    id bigserial primary key,
    customer_id text not null,
    item text not null,
    quantity integer not null,
    created_at timestamptz not null default now()
  )`;

/** Tells the parent process (tests, make demo) this process is serving. */
export function announceReady(details: Record<string, unknown>): void {
  console.log(`READY ${JSON.stringify(details)}`);
}
