import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import knex from 'knex';
import { eventually, pg, PG_CONNECTION, settle, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);
const POOL = `${SERVICES.postgres.host}:${SERVICES.postgres.port}/test`;

async function gauge(name: string, attributes: Record<string, string> = {}): Promise<number> {
  await settle();
  const point = await harness.metricPoint<number>(name, { 'db.client.connection.pool.name': POOL, ...attributes });
  return point.value;
}

describeWithPostgres('Postgres metrics', () => {
  let db: Knex;
  beforeEach(() => {
    harness.reset();
    db = pg(undefined, { min: 0, max: 3 });
    instrumentKnex(db);
  });
  afterEach(() => db.destroy());

  it('records db.client.operation.duration and the operations counter per operation and table', async () => {
    await db.raw('select 1');
    await db.raw('select 2');
    await db.raw('selec 3').catch(() => undefined);
    const ok = await harness.metricPoint<{ count: number; buckets: { boundaries: number[] } }>('db.client.operation.duration', {
      'db.system.name': 'postgresql',
      'db.query.summary': 'SELECT',
    });
    expect(ok.value.count).toBe(2);
    expect(ok.attributes['error.type']).toBeUndefined();
    // Conditionally Required / Recommended on the metric: the database, the server; no operation name parsed from raw SQL.
    expect(ok.attributes).toMatchObject({ 'db.namespace': 'test', 'server.address': '127.0.0.1', 'server.port': '5432' });
    expect(ok.attributes['db.operation.name']).toBeUndefined();
    expect(ok.value.buckets.boundaries).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);
    expect((await harness.metricPoint('threadline.db.client.operations', { 'db.system.name': 'postgresql', 'threadline.result': 'ok' })).value).toBe(2);
    const failed = await harness.metricPoint<{ count: number }>('db.client.operation.duration', { 'error.type': '42601' });
    expect(failed.value.count).toBe(1);
    expect(failed.attributes['db.response.status_code']).toBe('42601');
    expect(failed.attributes['db.operation.name']).toBeUndefined();
  });

  it('reports used / idle / pending connections during concurrent queries and returns to idle', async () => {
    // Three transactions hold all three connections until the gate opens; two more queries queue.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const holders = Array.from({ length: 3 }, () =>
      db.transaction(async (trx) => {
        await trx.raw('select 1');
        await gate;
      }),
    );
    let queued: Promise<unknown>[] = [];
    try {
      await eventually(async () => (await gauge('db.client.connection.count', { 'db.client.connection.state': 'used' })) === 3);
      // Builders are lazy: .then() starts them, now that every connection is taken.
      queued = Array.from({ length: 2 }, () => db.raw('select 1').then((result) => result));
      await eventually(async () => (await gauge('db.client.connection.pending_requests')) === 2);
      expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'used' })).toBe(3);
      expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'idle' })).toBe(0);
      expect(await gauge('db.client.connection.limit')).toBe(3);
    } finally {
      open();
      await Promise.all([...holders, ...queued]);
    }
    expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'used' })).toBe(0);
    expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'idle' })).toBe(3);
    expect(await gauge('db.client.connection.pending_requests')).toBe(0);
  });

  it('poolMetrics: false records no pool gauges', async () => {
    // A different host spelling gives this pool its own name, apart from beforeEach's instance.
    const quiet = knex({ client: 'pg', connection: { ...PG_CONNECTION, host: 'localhost' }, pool: { min: 0, max: 2 } });
    instrumentKnex(quiet, { poolMetrics: false });
    try {
      await quiet.raw('select 1');
      await settle();
      expect(await harness.findMetricPoint('db.client.connection.count', { 'db.client.connection.pool.name': 'localhost:5432/test' })).toBeUndefined();
      expect((await harness.metricPoint('threadline.db.client.operations', { 'threadline.result': 'ok' })).value).toBe(1);
    } finally {
      await quiet.destroy();
    }
  });
});
