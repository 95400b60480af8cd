// ESM app from the packed tarballs, with no telemetry code: run with
// `node --import @threadline/node/register app.mjs`.
import { createServer } from 'node:http';
import '@threadline/pg-cdc';
import '@threadline/temporal';
import { Queue, Worker } from 'bullmq';
import Keyv from 'keyv';
import knex from 'knex';

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
