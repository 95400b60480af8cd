/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app on purpose */
// CommonJS app from the packed tarballs: telemetry first in code, then the libraries.
const { startTelemetry } = require('@threadline/node');
const { BullMQInstrumentation } = require('@threadline/bullmq');
const { KnexInstrumentation } = require('@threadline/knex');
const { KeyvInstrumentation } = require('@threadline/keyv');
const { FetchInstrumentation } = require('@threadline/fetch');

const telemetry = startTelemetry({
  instrumentations: [new BullMQInstrumentation(), new KnexInstrumentation(), new KeyvInstrumentation(), new FetchInstrumentation()],
});
const { createServer } = require('node:http');
const { Queue, Worker } = require('bullmq');
const knex = require('knex');
const { default: Keyv } = require('keyv');
require('@threadline/temporal');
require('@threadline/pg-cdc');

async function main() {
  const connection = { host: process.env.REDIS_HOST || '127.0.0.1', port: Number(process.env.REDIS_PORT || 6379) };
  const queue = new Queue(process.env.QUEUE, { connection });
  const worker = new Worker(process.env.QUEUE, async () => 'done', { connection });
  const processed = new Promise((resolve) => worker.on('completed', resolve));
  const db = knex({ client: 'pg', connection: { host: process.env.PGHOST || '127.0.0.1', user: 'postgres', database: 'test' } });
  const cache = new Keyv({ namespace: 'orders' });
  const server = createServer(async (_req, res) => {
    await cache.set('order', 1);
    await cache.get('order');
    await db.raw('select 1');
    await queue.add('order', { n: 1 });
    res.end('ok');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await (await fetch(`http://127.0.0.1:${server.address().port}/order`)).text();
  await processed;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await db.destroy();
  server.close();
  await telemetry.shutdown();
}
main();
