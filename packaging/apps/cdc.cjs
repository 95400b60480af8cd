/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app on purpose */
// Postgres change-data-capture from the packed tarballs: a write carries its trace through the WAL
// to the consumer. PG_URL is a logical-replication cluster.
const { startTelemetry } = require('@threadline/node');
const telemetry = startTelemetry({ http: false });
const { trace } = require('@opentelemetry/api');
const { createCdcConsumer, emitTraceContext } = require('@threadline/pg-cdc');
const pg = require('pg');

async function main() {
  const connection = process.env.PG_URL;
  const [table, publication, slot] = ['pack_orders', 'pack_pub', 'pack_slot'];
  const admin = new pg.Client({ connectionString: connection });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id int primary key)`);
  await admin.query(`CREATE PUBLICATION ${publication} FOR TABLE ${table}`);
  let handled;
  const seen = new Promise((resolve) => (handled = resolve));
  const consumer = createCdcConsumer({ connection, slot, publications: [publication], createSlot: true, handler: () => handled() });
  await consumer.start();
  await trace.getTracer('scratch').startActiveSpan('write order', async (span) => {
    await admin.query('BEGIN');
    await emitTraceContext(admin);
    await admin.query(`INSERT INTO ${table} (id) VALUES (1)`);
    await admin.query('COMMIT');
    span.end();
  });
  await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('no change consumed in 15 s')), 15_000))]);
  await consumer.stop();
  await admin.end();
  await telemetry.shutdown();
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
