import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import knex from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { MARIADB_CONNECTION, PG_CONNECTION, settle, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);
const describeWithMariadb = await describeWithServices(describe, SERVICES.mariadb);

type Histogram = { count: number; sum: number; max?: number };
const HOLD_SECONDS = 0.2;

async function poolTimes(db: Knex, pool: string, sleep: string) {
  harness.reset();
  instrumentKnex(db);
  // One connection: the transaction holds it for HOLD_SECONDS, the second query waits for it.
  const holder = db.transaction(async (trx) => {
    await trx.raw(sleep);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await db.raw('select 1');
  await holder;
  await settle();
  const labels = { 'db.client.connection.pool.name': pool };
  const point = async (name: string) => (await harness.metricPoint<Histogram>(name, labels)).value;
  return {
    wait: await point('db.client.connection.wait_time'),
    use: await point('db.client.connection.use_time'),
    create: await point('db.client.connection.create_time'),
    idleMax: (await harness.metricPoint<number>('db.client.connection.idle.max', labels)).value,
    idleMin: (await harness.metricPoint<number>('db.client.connection.idle.min', labels)).value,
  };
}

function expectTimes(times: Awaited<ReturnType<typeof poolTimes>>) {
  // Two acquires (transaction, query); the query waited for most of the hold.
  expect(times.wait.count).toBe(2);
  expect(times.wait.max).toBeGreaterThan(HOLD_SECONDS - 0.1);
  expect(times.wait.max).toBeLessThan(HOLD_SECONDS + 2);
  expect(times.use.count).toBe(2);
  expect(times.use.max).toBeGreaterThanOrEqual(HOLD_SECONDS - 0.01);
  // One connection made, in real time (a TCP connect plus the login handshake).
  expect(times.create.count).toBe(1);
  expect(times.create.sum).toBeGreaterThan(0);
  expect(times.idleMax).toBe(1);
  expect(times.idleMin).toBe(1);
}

describeWithPostgres('pool durations and idle bounds on Postgres (tarn events)', () => {
  let db: Knex | undefined;
  afterEach(() => db?.destroy());

  it('records wait_time, use_time, create_time and idle.max / idle.min for the pool', async () => {
    db = knex({ client: 'pg', connection: PG_CONNECTION, pool: { min: 1, max: 1 } });
    expectTimes(await poolTimes(db, `${SERVICES.postgres.host}:${SERVICES.postgres.port}/test`, `select pg_sleep(${HOLD_SECONDS})`));
  });
});

describeWithMariadb('pool durations and idle bounds on MariaDB (tarn events)', () => {
  let db: Knex | undefined;
  afterEach(() => db?.destroy());

  it('records wait_time, use_time, create_time and idle.max / idle.min for the pool', async () => {
    db = knex({ client: 'mysql2', connection: MARIADB_CONNECTION, pool: { min: 1, max: 1 } });
    expectTimes(await poolTimes(db, `${SERVICES.mariadb.host}:${SERVICES.mariadb.port}`, `select sleep(${HOLD_SECONDS})`));
  });
});
