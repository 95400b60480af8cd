import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { assertChildOf, describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { closedPort, pg, PG_CONNECTION, tableName, withRoot, type Knex } from './helpers.js';
import knex from 'knex';

// knex logs every failed acquire at warn level; the test asserts the error itself.
const QUIET_LOG = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);

/** Runs the same failing call on a bare and an instrumented instance: the errors must be indistinguishable. */
async function failBoth(bare: Knex, instrumented: Knex, call: (db: Knex) => PromiseLike<unknown>): Promise<{ bare: Error; traced: Error }> {
  const errorOf = async (db: Knex) => {
    try {
      await call(db);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the call to fail');
  };
  const b = await errorOf(bare);
  const t = await withRoot('caller', () => errorOf(instrumented));
  return { bare: b, traced: t };
}

function expectSameError(pair: { bare: Error; traced: Error }): void {
  expect(Object.getPrototypeOf(pair.traced)).toBe(Object.getPrototypeOf(pair.bare));
  expect(pair.traced.message).toBe(pair.bare.message);
  expect(Object.keys(pair.traced).sort()).toEqual(Object.keys(pair.bare).sort());
  expect((pair.traced as { code?: unknown }).code).toBe((pair.bare as { code?: unknown }).code);
}

describeWithPostgres('Postgres failures and hostile input', () => {
  let bare: Knex;
  let db: Knex;
  const table = tableName();

  beforeAll(async () => {
    bare = pg();
    db = pg();
    instrumentKnex(db);
    await bare.schema.createTable(table, (t) => {
      t.integer('id').primary();
      t.text('name');
      t.binary('blob');
    });
    await bare(table).insert({ id: 1, name: 'taken' });
  });
  afterAll(async () => {
    await bare.schema.dropTableIfExists(table);
    await Promise.all([bare.destroy(), db.destroy()]);
  });
  beforeEach(() => harness.reset());

  it('a syntax error reaches the caller unchanged and fails the span with the SQLSTATE', async () => {
    const pair = await failBoth(bare, db, (k) => k.raw('selec 1 from nowhere'));
    expectSameError(pair);
    const span = harness.span('postgresql');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('42601');
    assertChildOf(span, harness.span('caller'));
    const point = await harness.metricPoint('threadline.db.client.operations', { 'db.system.name': 'postgresql', 'threadline.result': 'error' });
    expect(point.value).toBe(1);
  });

  it('a constraint violation reaches the caller unchanged; neither span nor events carry the values', async () => {
    const pair = await failBoth(bare, db, (k) => k(table).insert({ id: 1, name: 'secret-name-value' }));
    expectSameError(pair);
    // The driver's detail quotes the row's key: it stays on the error, never on the span.
    expect((pair.traced as { detail?: string }).detail).toContain('(id)=(1)');
    const span = harness.span(`INSERT ${table}`);
    expect(span.attributes['error.type']).toBe('23505');
    expect(span.attributes['db.response.status_code']).toBe('23505');
    expect(span.status.message).toBeUndefined();
    const dump = JSON.stringify({ a: span.attributes, e: span.events, s: span.status });
    expect(dump).not.toContain('secret-name-value');
    expect(dump).not.toContain('(id)=(1)');
    expect(span.events[0]?.attributes?.['exception.type']).toBe('23505');
    const duration = await harness.metricPoint<{ count: number }>('db.client.operation.duration', { 'error.type': '23505', 'db.collection.name': table });
    expect(duration.value.count).toBe(1);
  });

  it('connection refused reaches the caller unchanged and records a failed span', async () => {
    const port = await closedPort();
    const config = { client: 'pg', connection: { ...PG_CONNECTION, port }, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 2000, log: QUIET_LOG };
    const refusedBare = knex(config);
    const refused = knex(config);
    instrumentKnex(refused);
    try {
      const pair = await failBoth(refusedBare, refused, (k) => k.raw('select 1'));
      expectSameError(pair);
      expect((pair.traced as { code?: string }).code).toBe('ECONNREFUSED');
    } finally {
      await Promise.all([refusedBare.destroy(), refused.destroy()]);
    }
    const span = harness.span('postgresql');
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.attributes['server.port']).toBe(port);
    assertChildOf(span, harness.span('caller'));
    const point = await harness.metricPoint('threadline.db.client.operations', { 'threadline.result': 'error' });
    expect(point.value).toBe(1);
    // No operation ran: no operation duration.
    expect(await harness.findMetricPoint('db.client.operation.duration', { 'error.type': 'ECONNREFUSED' })).toBeUndefined();
  });

  it('a pool acquisition that times out counts db.client.connection.timeouts, not a 0-second operation', async () => {
    const db = knex({ client: 'pg', connection: PG_CONNECTION, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 300, log: QUIET_LOG });
    instrumentKnex(db);
    try {
      await db.transaction(async (trx) => {
        await trx.raw('select 1');
        // The only connection is held by this transaction: the next query cannot get one.
        await expect(db.raw('select 2')).rejects.toThrow(/Timeout acquiring a connection/);
      });
    } finally {
      await db.destroy();
    }
    expect((await harness.metricPoint('db.client.connection.timeouts')).value).toBe(1);
    expect(await harness.findMetricPoint('db.client.operation.duration', { 'error.type': 'KnexTimeoutError' })).toBeUndefined();
    expect((await harness.metricPoint('threadline.db.client.operations', { 'threadline.result': 'error' })).value).toBe(1);
  });

  it.each([true, false])('a query timeout (cancel: %s) reaches the caller unchanged and fails the span as KnexTimeoutError', async (cancel) => {
    const pair = await failBoth(bare, db, (k) => k.raw('select pg_sleep(0.3)').timeout(50, { cancel }));
    expect(pair.traced.name).toBe('KnexTimeoutError');
    expectSameError(pair);
    // Cancelled, the server answers query_canceled (57014) in a race with the release; not cancelled,
    // the connection goes back unanswered. Either way the span says what the caller got.
    const span = harness.span('SELECT');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('KnexTimeoutError');
    assertChildOf(span, harness.span('caller'));
  });

  it('a 1 MB statement works and only a truncated, sanitized text reaches the span', async () => {
    const big = 'a'.repeat(1024 * 1024);
    const rows = await withRoot('big', () => db.raw(`select '${big}' as v, 42 as n`));
    expect((rows as { rows: Array<{ v: string }> }).rows[0]?.v).toHaveLength(big.length);
    const text = harness.span('SELECT').attributes['db.query.text'] as string;
    expect(text).toBe('select ?');
    expect(text.length).toBeLessThanOrEqual(2048);
  });

  it('10,000 bindings work and stay out of telemetry', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => i + 1_000_000);
    const rows = await withRoot('many', () => db(table).whereIn('id', ids).select('id'));
    expect(rows).toEqual([]);
    const text = harness.span(`SELECT ${table}`).attributes['db.query.text'] as string;
    expect(text.length).toBeLessThanOrEqual(2048);
    expect(text).not.toContain('1000000');
    expect(text.startsWith(`select "id" from "${table}" where "id" in ($1, $2,`)).toBe(true);
  });

  it('non-ASCII and binary values round-trip and stay out of telemetry', async () => {
    const name = 'Zoë – 日本語 🚀';
    const blob = Buffer.from([0, 255, 1, 254, 0x27, 0x5c]);
    await withRoot('unicode', async () => {
      await db(table).insert({ id: 2, name, blob });
      const [row] = await db(table).where({ id: 2 }).select('name', 'blob');
      expect(row.name).toBe(name);
      expect(Buffer.compare(row.blob, blob)).toBe(0);
    });
    const dump = JSON.stringify(harness.spans().map((s) => [s.attributes, s.events]));
    expect(dump).not.toContain('Zoë');
    expect(dump).not.toContain('🚀');
  });
});
