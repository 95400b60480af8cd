import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import knex from 'knex';
import pgDriver from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { MARIADB_CONNECTION, PG_CONNECTION, withRoot, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);
const describeWithMariadb = await describeWithServices(describe, SERVICES.mariadb);

const OWN_PG_TEXT = 'select query from pg_stat_activity where pid = pg_backend_pid()';
const OWN_MARIADB_TEXT = 'select info from information_schema.processlist where id = connection_id()';

type Rows<T> = { rows: T[] };

describeWithPostgres('SQL commenter on Postgres (pg_stat_activity shows the traceparent)', () => {
  let db: Knex | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it('is off by default: the server sees the SQL as built', async () => {
    harness.reset();
    db = knex({ client: 'pg', connection: PG_CONNECTION, pool: { min: 0, max: 1 } });
    instrumentKnex(db);
    const seen = await withRoot('request', () => db!.raw<Rows<{ query: string }>>(OWN_PG_TEXT));
    expect(seen.rows[0]?.query).toBe(OWN_PG_TEXT);
  });

  it('appends the query span traceparent, in transactions too, while knex events and the span keep the SQL as built', async () => {
    harness.reset();
    db = knex({ client: 'pg', connection: PG_CONNECTION, pool: { min: 0, max: 1 } });
    instrumentKnex(db, { sqlCommenter: true });
    const appSaw: string[] = [];
    db.on('query', (q: { sql: string }) => appSaw.push(q.sql));
    const seen = await withRoot('request', () => db!.raw<Rows<{ query: string }>>(OWN_PG_TEXT));
    const span = harness.spans().find((s) => String(s.attributes['db.query.text'] ?? '').includes('pg_stat_activity'));
    expect(span).toBeDefined();
    const { traceId, spanId } = span!.spanContext();
    expect(seen.rows[0]?.query).toBe(`${OWN_PG_TEXT} /*traceparent='00-${traceId}-${spanId}-01'*/`);
    expect(span!.attributes['db.query.text']).not.toContain('traceparent');
    expect(appSaw).toEqual([OWN_PG_TEXT]);

    const inTrx = await withRoot('tx request', () => db!.transaction((trx) => trx.raw<Rows<{ query: string }>>(OWN_PG_TEXT)));
    expect(inTrx.rows[0]?.query).toMatch(/ \/\*traceparent='00-[0-9a-f]{32}-[0-9a-f]{16}-01'\*\/$/);
    // An unsampled request's queries carry its own context (no span is made for them).
    const unsampled = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true }));
    const unsampledSeen = await context.with(unsampled, async () => await db!.raw<Rows<{ query: string }>>(OWN_PG_TEXT));
    expect(unsampledSeen.rows[0]?.query).toBe(`${OWN_PG_TEXT} /*traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'*/`);
    // Bindings and builder queries run unchanged.
    expect((await db.raw<Rows<{ n: number }>>('select ?::int + 1 as n', [41])).rows[0]?.n).toBe(42);
  });

  it('keeps named (prepared-by-name) statements reusable: they are never commented', async () => {
    harness.reset();
    db = knex({ client: 'pg', connection: PG_CONNECTION, pool: { min: 0, max: 1 } });
    instrumentKnex(db, { sqlCommenter: true });
    for (const n of [1, 2, 3]) {
      const result = await withRoot('named', () => db!.raw<Rows<{ n: number }>>('select ?::int * 10 as n', [n]).options({ name: 'threadline_named_probe' }));
      expect(result.rows[0]?.n).toBe(n * 10);
    }
  });

  it('(why) pg refuses a per-query comment on a named statement', async () => {
    const client = new pgDriver.Client(PG_CONNECTION);
    await client.connect();
    try {
      await client.query({ name: 'threadline_reuse', text: "select 1 /*traceparent='a'*/" });
      await expect(client.query({ name: 'threadline_reuse', text: "select 1 /*traceparent='b'*/" })).rejects.toThrow(/Prepared statements must be unique/);
    } finally {
      await client.end();
    }
  });
});

describeWithMariadb('SQL commenter on MariaDB (the processlist shows the traceparent)', () => {
  let db: Knex | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it('appends the traceparent, keeps server-side prepared statements working, leaves # comments alone', async () => {
    harness.reset();
    db = knex({ client: 'mysql2', connection: MARIADB_CONNECTION, pool: { min: 0, max: 1 } });
    instrumentKnex(db, { sqlCommenter: true });
    const [rows] = await withRoot('request', () => db!.raw<[{ info: string }[]]>(OWN_MARIADB_TEXT));
    const span = harness.spans().find((s) => String(s.attributes['db.query.text'] ?? '').includes('processlist'));
    const { traceId, spanId } = span!.spanContext();
    expect(rows?.[0]?.info).toBe(`${OWN_MARIADB_TEXT} /*traceparent='00-${traceId}-${spanId}-01'*/`);

    // A statement prepared once on the connection, executed many times (each EXECUTE commented).
    await db.raw("PREPARE threadline_stmt FROM 'SELECT ? + 1 AS n'");
    for (const n of [1, 2, 3]) {
      await db.raw('SET @threadline_n = ?', [n]);
      const [result] = await db.raw<[{ n: number }[]]>('EXECUTE threadline_stmt USING @threadline_n');
      expect(Number(result?.[0]?.n)).toBe(n + 1);
    }
    await db.raw('DEALLOCATE PREPARE threadline_stmt');

    const [hashed] = await db.raw<[{ info: string }[]]>(`${OWN_MARIADB_TEXT} # mine`);
    expect(hashed?.[0]?.info).toBe(`${OWN_MARIADB_TEXT} # mine`);
  });
});
