import { describeWithServices, expectNoMarkers, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { LINES, pg, tableName, withRoot, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);

const BOUND = 'PRIVbound01';
const INLINE = 'PRIVinline2';
const ROW = 'PRIVrowval3';

describeWithPostgres.each(LINES)('$line: no bind value, literal, row or driver message reaches telemetry', ({ factory }) => {
  let db: Knex;
  const table = tableName();
  beforeAll(async () => {
    db = pg(factory);
    await db.schema.createTable(table, (t) => {
      t.integer('id').primary();
      t.text('email').unique();
    });
    instrumentKnex(db);
  });
  afterAll(async () => {
    await db.schema.dropTableIfExists(table);
    await db.destroy();
  });
  beforeEach(() => harness.reset());

  it('markers in bindings, SQL literals, rows, and in the errors Postgres raises about them', async () => {
    await withRoot('request', async () => {
      await db(table).insert({ id: 1, email: ROW });
      await db(table).where({ email: BOUND }).select();
      await db.raw(`select '${INLINE}' as v, ? as w`, [BOUND]);
      await db.transaction(async (trx) => trx(table).where('email', 'like', `%${BOUND}%`).update({ email: ROW.toLowerCase() }));
      // 23505: "Key (email)=(PRIVrowval3) already exists." in the driver's detail and message.
      await db(table).insert({ id: 2, email: ROW }).catch(() => undefined);
      // 22P02: "invalid input syntax for type integer: \"PRIVbound01\"" quotes the bound value.
      await db(table).where({ id: BOUND }).select().catch(() => undefined);
    });
    expect(harness.spans().filter((span) => span.attributes['error.type'] !== undefined).map((span) => span.attributes['error.type']).sort()).toEqual(['22P02', '23505']);
    await expectNoMarkers(harness, [BOUND, INLINE, ROW, ROW.toLowerCase()]);
  });
});
