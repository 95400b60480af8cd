import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { assertChildOf, assertRoot, assertSameTrace, describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { LINES, pg, tableName, withRoot, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);

describeWithPostgres.each(LINES)('Postgres spans ($line)', ({ factory }) => {
  let db: Knex;
  const table = tableName();

  beforeAll(async () => {
    db = pg(factory);
    instrumentKnex(db);
    await db.schema.createTable(table, (t) => {
      t.integer('id').primary();
      t.text('name');
    });
  });
  afterAll(async () => {
    await db.schema.dropTableIfExists(table);
    await db.destroy();
  });
  beforeEach(() => harness.reset());

  it('puts three queries and a transaction from one root span into one trace', async () => {
    await withRoot('request', async () => {
      await db(table).insert({ id: 1, name: 'ada' });
      await db(table).where({ id: 1 }).update({ name: 'grace' });
      await db(table).select('name').where('id', 1);
      await db.transaction(async (trx) => {
        await trx(table).insert({ id: 2, name: 'linus' });
        await trx(table).where('id', 2).del();
      });
    });
    const root = harness.span('request');
    const insert = harness.spansNamed(`INSERT ${table}`);
    const update = harness.span(`UPDATE ${table}`);
    const select = harness.span(`SELECT ${table}`);
    const del = harness.span(`DELETE ${table}`);
    const tx = harness.span('TRANSACTION');
    expect(insert).toHaveLength(2);
    assertRoot(root);
    assertSameTrace(root, ...insert, update, select, del, tx);
    for (const span of [insert[0]!, update, select, tx]) assertChildOf(span, root);
    assertChildOf(insert[1]!, tx);
    assertChildOf(del, tx);
    expect(tx.attributes['threadline.db.transaction.outcome']).toBe('commit');
    expect(tx.kind).toBe(SpanKind.INTERNAL);
    expect(tx.status.code).toBe(SpanStatusCode.UNSET);
    expect(select.kind).toBe(SpanKind.CLIENT);
    expect(select.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': 'test',
      'db.collection.name': table,
      'db.operation.name': 'SELECT',
      'server.address': SERVICES.postgres.host,
      'server.port': SERVICES.postgres.port,
    });
    expect(select.attributes['db.query.text']).toBe(`select "name" from "${table}" where "id" = $1`);
    // No span carries a bind value.
    for (const span of harness.spans()) {
      const text = JSON.stringify(span.attributes) + JSON.stringify(span.events);
      expect(text).not.toMatch(/ada|grace|linus/);
    }
  });

  it('keeps the context when a builder made outside a span is awaited inside it', async () => {
    const builder = db.raw('select 1 as one');
    await withRoot('later', async () => {
      await builder;
    });
    const span = harness.span('SELECT');
    assertChildOf(span, harness.span('later'));
    expect(span.attributes['db.collection.name']).toBeUndefined();
  });

  it('parents each query to its own caller when queries queue for one pooled connection', async () => {
    const single = pg(factory, { min: 0, max: 1 });
    instrumentKnex(single);
    try {
      await Promise.all(
        ['a', 'b', 'c'].map((name) =>
          withRoot(name, async () => {
            await single.raw('select pg_sleep(0.02)');
            await single.raw('select ? as v', [name]);
          }),
        ),
      );
    } finally {
      await single.destroy();
    }
    const selects = harness.spansNamed('SELECT');
    expect(selects).toHaveLength(6);
    for (const name of ['a', 'b', 'c']) {
      const root = harness.span(name);
      expect(selects.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId)).toHaveLength(2);
    }
  });

  it('keeps the context through .then callbacks, .asCallback and Promise.all', async () => {
    await withRoot('callbacks', async () => {
      await db.raw('select 1').then(() => db.raw('select 2'));
      await new Promise<void>((resolve, reject) => db.raw('select 3').asCallback((err: unknown) => (err ? reject(err) : resolve())));
      await Promise.all([db.raw('select 4'), db(table).select()]);
    });
    const root = harness.span('callbacks');
    const selects = harness.spansNamed('SELECT');
    expect(selects).toHaveLength(4);
    for (const span of [...selects, harness.span(`SELECT ${table}`)]) assertChildOf(span, root);
  });

  it('records a rolled-back transaction with its error, and the caller gets that error', async () => {
    const failure = new Error('business rule');
    await withRoot('rollback', async () => {
      await expect(
        db.transaction(async (trx) => {
          await trx(table).insert({ id: 10, name: 'x' });
          throw failure;
        }),
      ).rejects.toBe(failure);
    });
    const tx = harness.span('TRANSACTION');
    expect(tx.attributes['threadline.db.transaction.outcome']).toBe('rollback');
    expect(tx.status.code).toBe(SpanStatusCode.ERROR);
    expect(tx.attributes['error.type']).toBe('Error');
    assertChildOf(harness.span(`INSERT ${table}`), tx);
    expect(await db(table).where('id', 10)).toEqual([]);
  });

  it('records an explicit trx.rollback() without error as a rollback that did not fail', async () => {
    await withRoot('explicit', async () => {
      const result = await db.transaction(async (trx) => {
        await trx.raw('select 1');
        await trx.rollback();
      });
      expect(result).toBeUndefined();
    });
    const tx = harness.span('TRANSACTION');
    expect(tx.attributes['threadline.db.transaction.outcome']).toBe('rollback');
    expect(tx.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('handles the promise form (no container) and nested savepoints', async () => {
    await withRoot('promise-form', async () => {
      const trx = await db.transaction();
      await trx(table).insert({ id: 20, name: 'outer' });
      await trx.transaction(async (inner) => {
        await inner(table).insert({ id: 21, name: 'inner' });
      });
      await trx(table).where('id', 20).select('id');
      await trx.commit();
    });
    const root = harness.span('promise-form');
    // The outer span ends when knex settles the transaction, a few ticks after commit() resolves.
    const txs = await harness.waitForSpans('TRANSACTION', 2);
    expect(txs).toHaveLength(2);
    const outer = txs.find((s) => s.parentSpanContext?.spanId === root.spanContext().spanId)!;
    const inner = txs.find((s) => s !== outer)!;
    assertChildOf(inner, outer);
    expect(outer.attributes['threadline.db.transaction.outcome']).toBe('commit');
    expect(inner.attributes['threadline.db.transaction.outcome']).toBe('commit');
    const inserts = harness.spansNamed(`INSERT ${table}`);
    assertChildOf(inserts.find((s) => s.parentSpanContext?.spanId === inner.spanContext().spanId)!, inner);
    expect(inserts.filter((s) => s.parentSpanContext?.spanId === outer.spanContext().spanId)).toHaveLength(1);
    // After the savepoint is released, knex still tags the connection with its id: the query belongs to the outer transaction.
    assertChildOf(harness.span(`SELECT ${table}`), outer);
  });

  it('traces a stream until it ends, with the rows it streamed', async () => {
    await db(table).insert([{ id: 30, name: 's1' }, { id: 31, name: 's2' }]);
    harness.reset();
    const rows: unknown[] = [];
    await withRoot('stream', async () => {
      const stream = db(table).select('id').whereIn('id', [30, 31]).stream();
      for await (const row of stream) rows.push(row);
    });
    expect(rows).toHaveLength(2);
    // knex emits no `start` for streams, so the builder's table is unknown: the span is named by operation.
    const span = harness.span('SELECT');
    expect(span.attributes['db.query.text']).toBe(`select "id" from "${table}" where "id" in ($1, $2)`);
    assertChildOf(span, harness.span('stream'));
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('fails a stream span when the stream fails, and the stream reports the original error', async () => {
    let caught: unknown;
    await withRoot('bad-stream', async () => {
      const stream = db.raw('select * from tl_knex_missing_table_for_stream').stream();
      try {
        for await (const row of stream) expect(row).toBeUndefined();
      } catch (error) {
        caught = error;
      }
    });
    expect((caught as { code?: string }).code).toBe('42P01');
    const span = harness.span('SELECT');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('42P01');
    assertChildOf(span, harness.span('bad-stream'));
  });

  it('traces schema builder statements by their keyword', async () => {
    const scratch = tableName('tl_knex_schema');
    await withRoot('migrate', async () => {
      await db.schema.createTable(scratch, (t) => t.integer('id'));
      await db.schema.dropTable(scratch);
    });
    const root = harness.span('migrate');
    assertChildOf(harness.span('CREATE'), root);
    assertChildOf(harness.span('DROP'), root);
    expect(harness.span('CREATE').attributes['db.query.text']).toBe(`create table "${scratch}" ("id" integer)`);
  });

  it('does not leak an active span into the caller after the query', async () => {
    await withRoot('outer', async (root) => {
      await db.raw('select 1');
      expect(trace.getSpan(context.active())).toBe(root);
    });
  });
});
