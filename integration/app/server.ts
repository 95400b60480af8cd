import './telemetry';
import KeyvRedis from '@keyv/redis';
import { trace } from '@opentelemetry/api';
import { traced } from '@threadline/core';
import { emitTraceContext } from '@threadline/pg-cdc';
import { Queue } from 'bullmq';
import express from 'express';
import Keyv from 'keyv';
import knex from 'knex';
import type { AddressInfo } from 'node:net';
import { announceReady, config, ORDERS_TABLE_SQL, redisUrl } from './config';

interface Customer {
  id: string;
  tier: string;
}

const db = knex({ client: 'pg', connection: config.databaseUrl, pool: { min: 0, max: 5 } });
const customers = new Keyv<Customer>({ store: new KeyvRedis(redisUrl), namespace: 'customers' });
const orders = new Queue(config.queueName, { connection: { host: config.redisHost, port: config.redisPort } });

/** The business step: cache lookup, the insert (carrying the trace to CDC), the publish. */
async function createOrder(customerId: string, item: string, quantity: number): Promise<{ id: string }> {
  return traced('createOrder', async () => {
    let customer = await customers.get(customerId);
    if (!customer) {
      customer = { id: customerId, tier: 'standard' };
      await customers.set(customerId, customer, 60_000);
    }
    const id = await db.transaction(async (trx) => {
      await emitTraceContext(trx);
      const rows: { id: string | number }[] = await trx('orders').insert({ customer_id: customer.id, item, quantity }).returning(['id']);
      return String(rows[0]?.id);
    });
    await orders.add('order.created', { orderId: id, item, quantity });
    return { id };
  });
}

const app = express();
app.use(express.json());
app.post('/orders', async (req, res) => {
  const body = (req.body ?? {}) as { customerId?: unknown; item?: unknown; quantity?: unknown };
  const order = await createOrder(String(body.customerId ?? 'c-1'), String(body.item ?? 'book'), Number(body.quantity ?? 1));
  res.status(201).json({ ...order, traceId: trace.getActiveSpan()?.spanContext().traceId });
});
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});

async function main(): Promise<void> {
  await db.raw(ORDERS_TABLE_SQL);
  const server = app.listen(config.port, '127.0.0.1', () => announceReady({ port: (server.address() as AddressInfo).port }));
  process.once('SIGTERM', () => {
    server.close();
    void Promise.allSettled([orders.close(), db.destroy(), customers.disconnect()]);
  });
}

void main();
