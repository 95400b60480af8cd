import { SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ATTR, METRICS } from '@threadline/core';
import { assertChildOf, assertLinkedTo, assertRoot, assertSameTrace, setupTelemetry } from '@threadline/testing';
import knex from 'knex';
import { expect, it } from 'vitest';
import { CDC_ATTR, CDC_TRANSACTIONS, createCdcConsumer, emitTraceContext, PgCdcInstrumentation, type CdcConsumer, type CdcTransaction } from '../src/index.js';
import { describeWithCluster, connect, connectionOf, eventually } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();
const tracer = trace.getTracer('test-writer');

describeWithCluster('pg-cdc spans and metrics', () => {
  const cdc = useCdcSuite({ harness });
  let consumer: CdcConsumer | undefined;

  it('emits one CONSUMER span per transaction for insert / update / delete, with the handler running inside it', async () => {
    const seen: { tx: CdcTransaction; active: SpanContext | undefined }[] = [];
    consumer = cdc.consumer({
      handler: (tx) => {
        seen.push({ tx, active: trace.getActiveSpan()?.spanContext() });
      },
    });
    await consumer.start();
    const { admin, table } = cdc.fixture;
    await admin.query(`INSERT INTO ${table} (id, note) VALUES (1, 'a'), (2, 'b')`);
    await admin.query(`UPDATE ${table} SET note = 'c' WHERE id = 1`);
    await admin.query(`DELETE FROM ${table} WHERE id = 2`);

    const spans = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 3);
    expect(spans.map((s) => s.attributes[CDC_ATTR.OPERATIONS])).toEqual([['insert'], ['update'], ['delete']]);
    expect(spans.map((s) => s.attributes[CDC_ATTR.CHANGE_COUNT])).toEqual([2, 1, 1]);
    // Semconv: a batch count only on operations over more than one message.
    expect(spans.map((s) => s.attributes[ATTR.MESSAGING_BATCH_MESSAGE_COUNT])).toEqual([2, undefined, undefined]);
    const [insert] = spans;
    expect(insert!.kind).toBe(SpanKind.CONSUMER);
    expect(insert!.attributes).toMatchObject({
      [ATTR.MESSAGING_SYSTEM]: 'postgresql.logical_replication',
      [ATTR.MESSAGING_OPERATION_TYPE]: 'process',
      [ATTR.MESSAGING_DESTINATION_NAME]: cdc.fixture.slot,
      [ATTR.DB_NAMESPACE]: 'postgres',
      [ATTR.CDC_SLOT]: cdc.fixture.slot,
      [CDC_ATTR.TABLES]: [`public.${table}`],
      [CDC_ATTR.LSN]: seen[0]!.tx.lsn,
      [CDC_ATTR.XID]: seen[0]!.tx.xid,
    });
    expect(Date.parse(String(insert!.attributes[CDC_ATTR.COMMIT_TIME]))).toBeGreaterThan(Date.now() - 60_000);
    spans.forEach((span) => assertRoot(span));
    // The handler ran with the transaction's span active.
    expect(seen.map((s) => s.active?.spanId)).toEqual(spans.map((s) => s.spanContext().spanId));
    // Rows reach the handler; they never reach span attributes.
    expect(seen[0]!.tx.changes.map((c) => c.new)).toEqual([{ id: 1, note: 'a' }, { id: 2, note: 'b' }]);
    expect(seen[2]!.tx.changes[0]).toMatchObject({ op: 'delete', key: { id: 2 } });
    expect(JSON.stringify(insert!.attributes)).not.toContain('"a"');

    const labels = (op: string) => ({ [ATTR.CDC_SLOT]: cdc.fixture.slot, [ATTR.CDC_TABLE]: `public.${table}`, [ATTR.CDC_OPERATION]: op });
    expect((await harness.metricPoint(METRICS.CDC_CHANGES.name, labels('insert'))).value).toBe(2);
    expect((await harness.metricPoint(METRICS.CDC_CHANGES.name, labels('update'))).value).toBe(1);
    expect((await harness.metricPoint(METRICS.CDC_CHANGES.name, labels('delete'))).value).toBe(1);
    const slotLabel = { [ATTR.CDC_SLOT]: cdc.fixture.slot };
    expect((await harness.metricPoint(METRICS.CDC_EVENTS_SEEN.name, slotLabel)).value).toBe(4);
    expect((await harness.metricPoint(CDC_TRANSACTIONS.name, { ...slotLabel, [ATTR.RESULT]: 'ok' })).value).toBe(3);
    expect((await harness.metricPoint<{ count: number }>(METRICS.MESSAGING_PROCESS_DURATION.name, { [ATTR.MESSAGING_DESTINATION_NAME]: cdc.fixture.slot })).value.count).toBe(3);
    expect((await harness.metricPoint(METRICS.CDC_CONNECTED.name, slotLabel)).value).toBe(1);
    const lag = (await harness.metricPoint<number>(METRICS.CDC_LAG.name, slotLabel)).value;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(30);

    await consumer.stop();
    expect((await harness.metricPoint(METRICS.CDC_CONNECTED.name, slotLabel)).value).toBe(0);
  });

  it('reports lag by stage: receive lag (commit → received) stays small while a slow handler grows the handler lag', async () => {
    let done = false;
    consumer = cdc.consumer({
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1200));
        done = true;
      },
    });
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
    await eventually(() => done, 'the slow handler');
    const slotLabel = { [ATTR.CDC_SLOT]: cdc.fixture.slot };
    await eventually(async () => (await harness.findMetricPoint(METRICS.CDC_LAG.name, slotLabel)) !== undefined, 'the handler lag');
    const handlerLag = (await harness.metricPoint<number>(METRICS.CDC_LAG.name, slotLabel)).value;
    const receiveLag = (await harness.metricPoint<number>(METRICS.CDC_RECEIVE_LAG.name, slotLabel)).value;
    expect(handlerLag).toBeGreaterThanOrEqual(1.1);
    expect(receiveLag).toBeGreaterThanOrEqual(0);
    expect(receiveLag).toBeLessThan(handlerLag - 1);
  });

  it('continues the writer trace through a knex transaction: root span → SQL write → CDC span', async () => {
    const db = knex({ client: 'pg', connection: cdc.info.url });
    consumer = cdc.consumer({ handler: () => undefined });
    await consumer.start();
    try {
      await tracer.startActiveSpan('POST /orders', async (root) => {
        await db.transaction(async (trx) => {
          expect(await emitTraceContext(trx)).toBe(true);
          await trx(cdc.fixture.table).insert({ id: 7, note: 'x' });
        });
        root.end();
      });
      const [consumed] = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 1);
      const root = harness.span('POST /orders');
      assertSameTrace(root, consumed!);
      assertChildOf(consumed!, root);
      expect(consumed!.attributes[CDC_ATTR.CHANGE_COUNT]).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('with link: true starts a root span linked to the writer; a pg client works as the writer too', async () => {
    consumer = cdc.consumer({ link: true, handler: () => undefined });
    await consumer.start();
    const client = await connect(cdc.info);
    try {
      await tracer.startActiveSpan('job', async (writer) => {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
        expect(await emitTraceContext(client)).toBe(true);
        await client.query('COMMIT');
        writer.end();
      });
      // Outside any span there is nothing to carry: no message, a plain root span.
      expect(await emitTraceContext(client)).toBe(false);
      await client.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (2)`);
    } finally {
      await client.end();
    }
    const [linked, plain] = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 2);
    assertRoot(linked!);
    assertLinkedTo(linked!, harness.span('job'));
    assertRoot(plain!);
    expect(plain!.links).toHaveLength(0);
  });

  it('per-change mode: one span per row change, all children of the writer, acknowledged after the last', async () => {
    const handled: string[] = [];
    consumer = cdc.consumer({
      mode: 'change',
      handler: (change, tx) => {
        handled.push(`${change.op}:${String(change.new?.id ?? change.key?.id ?? '')}:${tx.changes.length}`);
      },
    });
    await consumer.start();
    const client = await connect(cdc.info);
    try {
      await tracer.startActiveSpan('writer', async (writer) => {
        await client.query('BEGIN');
        expect(await emitTraceContext(client)).toBe(true);
        await client.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1), (2)`);
        await client.query(`TRUNCATE ${cdc.fixture.table}`);
        await client.query('COMMIT');
        writer.end();
      });
    } finally {
      await client.end();
    }
    const spans = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 3);
    expect(handled).toEqual(['insert:1:3', 'insert:2:3', 'truncate::3']);
    expect(spans.map((s) => s.attributes[ATTR.CDC_OPERATION])).toEqual(['insert', 'insert', 'truncate']);
    for (const span of spans) assertChildOf(span, harness.span('writer'));
  });

  it('a handler error marks the span failed; config mistakes throw at construction; it is an OTel Instrumentation', async () => {
    const instrumentation: Instrumentation = new PgCdcInstrumentation();
    expect(instrumentation.instrumentationName).toBe('@threadline/pg-cdc');
    expect(() => createCdcConsumer({ connection: connectionOf(cdc.info), slot: 'Bad-Slot', publications: ['p'], handler: () => undefined })).toThrow(/slot/);
    expect(() => createCdcConsumer({ connection: connectionOf(cdc.info), slot: 's', publications: [], handler: () => undefined })).toThrow(/publications/);
    const missing = createCdcConsumer({ connection: connectionOf(cdc.info), slot: 'no_such_slot', publications: ['p'], handler: () => undefined });
    await expect(missing.start()).rejects.toThrow(/pg_create_logical_replication_slot\('no_such_slot', 'pgoutput'\)/);

    const boom = new TypeError('bad row');
    consumer = cdc.track((instrumentation as PgCdcInstrumentation).createConsumer({
      connection: connectionOf(cdc.info),
      slot: cdc.fixture.slot,
      publications: [cdc.fixture.publication],
      reconnect: { initialDelayMs: 5_000 },
      handler: () => {
        throw boom;
      },
    }));
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
    const [failed] = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 1);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.attributes[ATTR.ERROR_TYPE]).toBe('TypeError');
    const slotLabel = { [ATTR.CDC_SLOT]: cdc.fixture.slot };
    expect((await harness.metricPoint(METRICS.CDC_ERRORS.name, { ...slotLabel, [ATTR.ERROR_TYPE]: 'handler' })).value).toBe(1);
    expect((await harness.metricPoint(CDC_TRANSACTIONS.name, { ...slotLabel, [ATTR.RESULT]: 'error' })).value).toBe(1);
  });

  it('a hostile carrier gives a root span; a disabled instrumentation runs handlers without telemetry', async () => {
    const instrumentation = new PgCdcInstrumentation();
    let handled = 0;
    consumer = cdc.track(instrumentation.createConsumer({
      connection: connectionOf(cdc.info),
      slot: cdc.fixture.slot,
      publications: [cdc.fixture.publication],
      handler: () => {
        handled++;
      },
    }));
    await consumer.start();
    const { admin, table } = cdc.fixture;
    await admin.query('BEGIN');
    await admin.query(`SELECT pg_logical_emit_message(true, 'threadline.trace', $1)`, ['{"traceparent":"00-zz-not-hex-01","__proto__":{"x":1}}']);
    await admin.query(`SELECT pg_logical_emit_message(true, 'threadline.trace', 'not json {')`);
    await admin.query(`INSERT INTO ${table} (id) VALUES (1)`);
    await admin.query('COMMIT');
    const [span] = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 1);
    assertRoot(span!);
    expect(span!.links).toHaveLength(0);
    expect((await harness.metricPoint(METRICS.TELEMETRY_DROPPED.name, { 'threadline.telemetry.drop_reason': 'bad_carrier' })).value).toBe(1);

    instrumentation.disable();
    await admin.query(`INSERT INTO ${table} (id) VALUES (2)`);
    await eventually(() => handled === 2, 'the second transaction');
    expect(harness.spansNamed(`process ${cdc.fixture.slot}`)).toHaveLength(1);
  });
});
