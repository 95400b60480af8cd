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
// Present when TEMPORAL_ADDRESS reaches a server: HTTP → start workflow → activity → fetch.
app.post('/reports', async (req, res) => {
  if (!config.temporalAddress) {
    res.status(503).json({ error: 'TEMPORAL_ADDRESS is not set' });
    return;
  }
  const orderId = String((req.body as { orderId?: unknown } | undefined)?.orderId ?? '1');
  const client = await temporalClient();
  const result = await client.workflow.execute('notifyOrder', { args: [orderId], taskQueue: config.temporalTaskQueue, workflowId: `notify-${orderId}-${Date.now()}` });
  res.json({ result, traceId: trace.getActiveSpan()?.spanContext().traceId });
});

let client: Promise<import('@temporalio/client').Client> | undefined;
/** Loaded on first use, so the API starts without Temporal's packages when it has no server. */
function temporalClient(): Promise<import('@temporalio/client').Client> {
  client ??= (async () => {
    const [{ Client, Connection }, { createClientInterceptors }] = await Promise.all([import('@temporalio/client'), import('@threadline/temporal')]);
    const connection = await Connection.connect({ address: config.temporalAddress });
    return new Client({ connection, interceptors: createClientInterceptors() });
  })();
  return client;
}

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
