import { context, ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKnex, KnexInstrumentation, type KnexInstrumentationConfig } from '../src/index.js';
import { pg, settle, withRoot, type Knex } from './helpers.js';

const harness = setupTelemetry();
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);

describe('configuration mistakes throw at construction', () => {
  it.each<[KnexInstrumentationConfig, RegExp]>([
    [{ maxQueryLength: -1 }, /maxQueryLength must be a non-negative integer/],
    [{ maxQueryLength: 1.5 }, /maxQueryLength/],
    [{ sanitizer: 'strict' as never }, /sanitizer must be a function/],
    [{ requestHook: {} as never }, /requestHook must be a function/],
    [{ requireParentSpan: 'yes' as never }, /requireParentSpan must be true or false/],
    [{ dbSystemName: '' }, /dbSystemName must be a non-empty string/],
  ])('%j', (config, message) => {
    expect(() => new KnexInstrumentation(config)).toThrow(message);
    expect(() => instrumentKnex(pg(), config)).toThrow(message);
  });

  it('rejects something that is not a knex instance', () => {
    expect(() => instrumentKnex({})).toThrow(/expects a knex instance/);
  });
});

describeWithPostgres('options', () => {
  const opened: Knex[] = [];
  const open = (config?: KnexInstrumentationConfig) => {
    const db = pg();
    opened.push(db);
    instrumentKnex(db, config);
    return db;
  };
  beforeEach(() => harness.reset());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });

  it('requireParentSpan: no span without a parent, metrics either way', async () => {
    const db = open({ requireParentSpan: true });
    await db.raw('select 1');
    expect(harness.spans()).toHaveLength(0);
    await withRoot('parent', () => db.raw('select 1'));
    expect(harness.spansNamed('SELECT')).toHaveLength(1);
    expect((await harness.metricPoint('threadline.db.client.operations', { 'threadline.result': 'ok' })).value).toBe(2);
  });

  it('under an unsampled parent (ParentBased sampler): no span and no hook call, metrics recorded', async () => {
    const hookCalls: string[] = [];
    const db = open({ requestHook: (span) => hookCalls.push(span.spanContext().spanId) });
    const unsampled = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true }));
    await context.with(unsampled, async () => await db.raw('select 1'));
    expect(hookCalls).toEqual([]);
    expect(harness.spans()).toHaveLength(0);
    expect((await harness.metricPoint('threadline.db.client.operations', { 'threadline.result': 'ok' })).value).toBe(1);
  });

  it('maxQueryLength truncates before sanitizing; 0 leaves the text out', async () => {
    await open({ maxQueryLength: 12 }).raw("select 'abcdefghijkl' as v");
    expect(harness.span('SELECT').attributes['db.query.text']).toBe('select ?');
    harness.reset();
    await open({ maxQueryLength: 0 }).raw('select 1');
    expect(harness.span('SELECT').attributes['db.query.text']).toBeUndefined();
  });

  it('a custom sanitizer replaces the default; one that throws drops the text only', async () => {
    await open({ sanitizer: (sql) => sql.toUpperCase() }).raw("select 'x' as v");
    expect(harness.span('SELECT').attributes['db.query.text']).toBe("SELECT 'X' AS V");
    harness.reset();
    const rows = await open({
      sanitizer: () => {
        throw new Error('sanitizer bug');
      },
    }).raw('select 7 as v');
    expect((rows as { rows: unknown[] }).rows).toEqual([{ v: 7 }]);
    expect(harness.span('SELECT').attributes['db.query.text']).toBeUndefined();
    expect((await harness.metricPoint('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'sanitizer_error' })).value).toBe(1);
  });

  it('hooks see the query and response; throwing hooks cost nothing but the hook', async () => {
    const seen: unknown[] = [];
    const db = open({
      requestHook: (span: Span, info) => {
        span.setAttribute('test.bindings', info.bindings?.length ?? -1);
        seen.push(info.method, info.sql);
      },
      responseHook: (span: Span, info) => {
        span.setAttribute('test.rows', (info.response as { rows: unknown[] }).rows.length);
      },
    });
    await db.raw('select ? as a, ? as b', [1, 2]);
    const span = harness.span('SELECT');
    expect(span.attributes['test.bindings']).toBe(2);
    expect(span.attributes['test.rows']).toBe(1);
    expect(seen).toEqual(['raw', 'select $1 as a, $2 as b']);

    harness.reset();
    const failing = open({
      requestHook: () => {
        throw new Error('request hook bug');
      },
      responseHook: () => {
        throw new Error('response hook bug');
      },
    });
    const rows = await failing.raw('select 5 as v');
    expect((rows as { rows: unknown[] }).rows).toEqual([{ v: 5 }]);
    expect(harness.span('SELECT').status.code).toBe(SpanStatusCode.UNSET);
    expect((await harness.metricPoint('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'hook_error' })).value).toBe(2);
  });

  it('dbSystemName overrides the detected system', async () => {
    await open({ dbSystemName: 'cockroachdb' }).raw('select 1');
    expect(harness.span('SELECT').attributes['db.system.name']).toBe('cockroachdb');
  });

  it('a fault inside the instrumentation costs telemetry, never the query, and turns that instance off', async () => {
    const db = open();
    const hostile = db.raw('select 8 as v');
    // knex hands this builder to the 'start' listener; reading its table throws inside our code.
    Object.defineProperty(hostile, '_single', {
      get() {
        throw new Error('hostile builder');
      },
    });
    expect((await hostile).rows).toEqual([{ v: 8 }]);
    expect((await db.raw('select 9 as v')).rows).toEqual([{ v: 9 }]);
    expect(harness.spans()).toHaveLength(0);
    expect((await harness.metricPoint('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'internal_error' })).value).toBe(1);
  });

  it('instrumenting one instance twice keeps one instrumentation', async () => {
    const db = open();
    expect(instrumentKnex(db)).toBe(instrumentKnex(db));
    await db.raw('select 1');
    expect(harness.spansNamed('SELECT')).toHaveLength(1);
  });
});

describeWithPostgres('disabled instrumentation', () => {
  beforeEach(() => harness.reset());

  it('enabled: false, uninstrument() and KnexInstrumentation.disable() record nothing and change no result', async () => {
    const off = pg();
    const detached = pg();
    const viaClass = pg();
    const instrumentation = new KnexInstrumentation({ enabled: false });
    try {
      instrumentKnex(off, { enabled: false });
      instrumentKnex(detached).uninstrument();
      instrumentation.enable();
      instrumentation.instrument(viaClass);
      instrumentation.disable();
      for (const db of [off, detached, viaClass]) {
        expect((await db.raw('select 3 as v')).rows).toEqual([{ v: 3 }]);
        await db.transaction(async (trx) => trx.raw('select 1'));
        await db.raw('selec').catch(() => undefined);
      }
      await settle();
      expect(harness.spans()).toHaveLength(0);
      expect(await harness.collectMetrics()).toEqual([]);
      instrumentation.enable();
      await viaClass.raw('select 1');
      expect(harness.spansNamed('SELECT')).toHaveLength(1);
    } finally {
      instrumentation.disable();
      await Promise.all([off.destroy(), detached.destroy(), viaClass.destroy()]);
    }
  });
});
