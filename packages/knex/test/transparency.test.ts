import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex } from '../src/index.js';
import { LINES, pg, tableName, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);

const QUERY_EVENTS = ['start', 'query', 'query-response', 'query-error'] as const;
const POOL_EVENTS = ['acquireRequest', 'acquireSuccess', 'acquireFail', 'release', 'createSuccess', 'destroySuccess'] as const;

type Emitter = Knex & { _events: Record<string, unknown>; _eventsCount: number };

/** Everything about an instance's events and its client that an app (or knex's own suite) can read. */
function observable(db: Knex) {
  const instance = db as Emitter;
  const client = db.client as unknown as Emitter & object;
  const pool = (client as unknown as { pool: { emitter: { eventNames(): unknown[] }; listenerCount?: unknown } }).pool;
  return {
    poolEventNames: pool.emitter.eventNames(),
    poolKeys: Object.keys(pool).sort(),
    events: Object.keys(instance._events),
    eventsCount: instance._eventsCount,
    eventNames: db.eventNames(),
    listenerCounts: QUERY_EVENTS.map((event) => db.listenerCount(event)),
    clientKeys: Object.keys(client).sort(),
    clientSymbols: Object.getOwnPropertySymbols(client).map(String),
    clientEventNames: client.eventNames(),
    clientListenerCounts: QUERY_EVENTS.map((event) => client.listenerCount(event)),
  };
}

describeWithPostgres.each(LINES)('$line: the app sees only its own listeners', ({ factory }) => {
  const opened: Knex[] = [];
  const handles: Array<{ uninstrument(): void }> = [];
  const open = (instrumented: boolean) => {
    const db = pg(factory);
    opened.push(db);
    if (instrumented) handles.push(instrumentKnex(db));
    return db;
  };
  let table: string;
  beforeEach(async () => {
    harness.reset();
    table = tableName();
    const setup = open(false);
    await setup.schema.createTable(table, (t) => t.increments('id'));
  });
  afterEach(async () => {
    await opened[0]?.schema.dropTableIfExists(table);
    handles.splice(0).forEach((handle) => handle.uninstrument());
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });

  it('instance and client state equal an uninstrumented instance’s, before and after the app adds a listener', async () => {
    const plain = open(false);
    const ours = open(true);
    await Promise.all([plain.raw('select 1'), ours.raw('select 1')]);
    expect(observable(ours)).toEqual(observable(plain));
    const listener = () => undefined;
    plain.on('query-response', listener);
    ours.on('query-response', listener);
    expect(observable(ours)).toEqual(observable(plain));
    expect(ours.eventNames()).toEqual(['query-response']);
    const appPoolListener = () => undefined;
    for (const db of [plain, ours]) for (const event of POOL_EVENTS) (db.client as { pool: { on(e: string, f: () => void): void } }).pool.on(event, appPoolListener);
    expect(observable(ours)).toEqual(observable(plain));
    expect(harness.spansNamed('SELECT')).toHaveLength(1);
  });

  it('a withUserParams copy inherits exactly the app’s listeners, and its queries and transactions are traced', async () => {
    const db = open(true);
    let responses = 0;
    const onQueryResponse = (response: unknown, query: { __knexUid?: unknown; __knexQueryUid?: unknown }, builder: unknown) => {
      responses++;
      expect(response).toBeInstanceOf(Array);
      expect(query.__knexUid).toBeTypeOf('string');
      expect(query.__knexQueryUid).toBeTypeOf('string');
      expect(builder).toBeTypeOf('object');
    };
    db.on('query-response', onQueryResponse);
    const copy = db.withUserParams({ tenant: 't1' });
    await copy(table).select().on('query-response', onQueryResponse);
    await copy.transaction((trx) => trx(table).select().on('query-response', onQueryResponse));

    expect(Object.keys((db as Emitter)._events)).toHaveLength(1);
    expect(Object.keys((copy as Emitter)._events)).toHaveLength(1);
    expect(copy.listenerCount('query-response')).toBe(1);
    expect(observable(copy).clientKeys).not.toContain('transaction');
    expect(responses).toBe(4);
    expect(harness.spansNamed(`SELECT ${table}`)).toHaveLength(2);
  });

  it('nothing of ours lingers once the app removes its listener, nor after uninstrument()', async () => {
    const db = open(false);
    const handle = instrumentKnex(db);
    const listener = () => undefined;
    db.on('query', listener);
    await db.raw('select 1');
    db.removeListener('query', listener);
    expect(db.eventNames()).toEqual([]);
    expect((db as Emitter)._eventsCount).toBe(0);
    const prototype = Object.getPrototypeOf(db.client) as Record<string, unknown>;
    const wrapped = () => ['emit', 'stream', 'transaction'].filter((name) => /threadline/.test(String(prototype[name])));
    const poolPrototype = Object.getPrototypeOf((db.client as { pool: object }).pool) as Record<string, unknown>;
    expect(wrapped()).toEqual(['emit', 'stream', 'transaction']);
    expect(String(poolPrototype._executeEventHandlers)).toMatch(/threadline/);
    handle.uninstrument();
    // The last attachment on this client class (and pool class) released: both are as knex and tarn made them.
    expect(wrapped()).toEqual([]);
    expect(String(poolPrototype._executeEventHandlers)).not.toMatch(/threadline/);
    harness.reset();
    await db.raw('select 1');
    expect(harness.spans()).toHaveLength(0);
  });
});
