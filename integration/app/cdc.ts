import './telemetry';
import { createCdcConsumer } from '@threadline/pg-cdc';
import pg from 'pg';
import { announceReady, config, ORDERS_TABLE_SQL } from './config';

/** Creates the publication the consumer streams (the table first, in case the API has not yet). */
async function ensurePublication(): Promise<void> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(ORDERS_TABLE_SQL);
    const existing = await client.query('select 1 from pg_publication where pubname = $1', [config.cdcPublication]);
    if (existing.rowCount === 0) await client.query(`create publication ${config.cdcPublication} for table orders`);
  } finally {
    await client.end();
  }
}

/** Stops streaming; a demo run also drops its slot so a shared server keeps no WAL for it. */
async function stop(consumer: { stop(): Promise<void> }): Promise<void> {
  await consumer.stop();
  if (process.env.CDC_DROP_SLOT !== '1') return;
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  await client.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [config.cdcSlot]).catch(() => undefined);
  await client.end();
}

async function main(): Promise<void> {
  await ensurePublication();
  const consumer = createCdcConsumer({
    connection: config.databaseUrl,
    slot: config.cdcSlot,
    publications: [config.cdcPublication],
    createSlot: true,
    slotPollIntervalMs: 1000,
    handler: (transaction) => {
      for (const change of transaction.changes) console.log(`cdc: ${change.op} ${change.table} ${JSON.stringify(change.new?.id ?? null)}`);
    },
  });
  await consumer.start();
  announceReady({ slot: config.cdcSlot });
  process.once('SIGTERM', () => void stop(consumer));
}

void main();
