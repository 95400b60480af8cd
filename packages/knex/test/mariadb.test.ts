import { SpanStatusCode } from '@opentelemetry/api';
import { assertChildOf, assertRoot, assertSameTrace, describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { LINES, MARIADB_CONNECTION, tableName, withRoot, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithMariaDB = await describeWithServices(describe, SERVICES.mariadb);

describeWithMariaDB.each(LINES)('MariaDB ($line)', ({ factory }) => {
  const database = tableName('tl_knex_db');
  const table = tableName();
  let admin: Knex;
  let bare: Knex;
  let db: Knex;

  beforeAll(async () => {
    admin = factory({ client: 'mysql2', connection: MARIADB_CONNECTION, pool: { min: 0, max: 1 } });
    await admin.raw(`create database \`${database}\``);
    const config = { client: 'mysql2', connection: { ...MARIADB_CONNECTION, database }, pool: { min: 0, max: 4 } };
    bare = factory(config);
    db = factory(config);
    instrumentKnex(db);
    await bare.schema.createTable(table, (t) => {
      t.integer('id').primary();
      t.string('name');
    });
  });
  afterAll(async () => {
    await admin.raw(`drop database if exists \`${database}\``);
    await Promise.all([admin.destroy(), bare.destroy(), db.destroy()]);
  });
  beforeEach(() => harness.reset());

  it('puts three queries and a transaction from one root span into one trace', async () => {
    await withRoot('request', async () => {
      await db(table).insert({ id: 1, name: 'ada' });
      await db(table).where('id', 1).update({ name: 'grace' });
      expect(await db(table).where('id', 1).first('name')).toEqual({ name: 'grace' });
      await db.transaction(async (trx) => {
        await trx(table).insert({ id: 2, name: 'linus' });
      });
    });
    const root = harness.span('request');
    const tx = harness.span('TRANSACTION');
    const inserts = harness.spansNamed(`INSERT ${table}`);
    const select = harness.span(`SELECT ${table}`);
    assertRoot(root);
    assertSameTrace(root, tx, select, ...inserts, harness.span(`UPDATE ${table}`));
    assertChildOf(select, root);
    assertChildOf(inserts.find((s) => s.parentSpanContext?.spanId === tx.spanContext().spanId)!, tx);
    expect(tx.attributes['threadline.db.transaction.outcome']).toBe('commit');
    expect(select.attributes).toMatchObject({
      'db.system.name': 'mariadb',
      'db.namespace': database,
      'db.collection.name': table,
      'db.operation.name': 'SELECT',
      'db.query.text': `select \`name\` from \`${table}\` where \`id\` = ? limit ?`,
      'server.address': SERVICES.mariadb.host,
      'server.port': SERVICES.mariadb.port,
    });
    expect(JSON.stringify(harness.spans().map((s) => s.attributes))).not.toMatch(/ada|grace|linus/);
  });

  it('a duplicate key and a syntax error reach the caller unchanged', async () => {
    await bare(table).insert({ id: 10, name: 'first' });
    for (const call of [(k: Knex) => k(table).insert({ id: 10, name: 'dup-secret' }), (k: Knex) => k.raw('selec 1')]) {
      const expected = await Promise.resolve(call(bare)).catch((e: Error) => e);
      const actual = await withRoot('caller', () => Promise.resolve(call(db)).catch((e: Error) => e));
      expect(actual).toBeInstanceOf(Error);
      expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected));
      expect((actual as Error).message).toBe((expected as Error).message);
      expect((actual as { code?: string }).code).toBe((expected as { code?: string }).code);
    }
    const dup = harness.span(`INSERT ${table}`);
    expect(dup.status.code).toBe(SpanStatusCode.ERROR);
    expect(dup.attributes['error.type']).toBe('ER_DUP_ENTRY');
    expect(dup.attributes['db.response.status_code']).toBe('1062');
    expect(JSON.stringify([dup.attributes, dup.events])).not.toContain('dup-secret');
    expect(harness.span('mariadb').attributes['error.type']).toBe('ER_PARSE_ERROR');
  });

  it('a rolled-back transaction is recorded as a rollback', async () => {
    await withRoot('rollback', async () => {
      await db
        .transaction(async (trx) => {
          await trx(table).insert({ id: 20, name: 'gone' });
          throw new RangeError('abort');
        })
        .catch(() => undefined);
    });
    const tx = harness.span('TRANSACTION');
    expect(tx.attributes['threadline.db.transaction.outcome']).toBe('rollback');
    expect(tx.attributes['error.type']).toBe('RangeError');
    expect(await bare(table).where('id', 20)).toEqual([]);
  });
});
