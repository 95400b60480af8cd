import { SpanKind, trace } from '@opentelemetry/api';
import { ATTR, METRICS } from '@threadline/core';
import { assertChildOf, assertLinkedTo, assertRoot, setupTelemetry } from '@threadline/testing';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CDC_ATTR, emitTraceContext, type CdcConsumer, type CdcErrorKind } from '../src/index.js';
import { connect, describeWithCluster, eventually } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();
const tracer = trace.getTracer('test-writer');
// The smallest bound: chunks of 128 KiB, logical_decoding_work_mem 64 kB.
const BOUND = 256 * 1024;

describeWithCluster('pg-cdc large transactions: change mode, links, spill failures', () => {
  const cdc = useCdcSuite({ harness, defaults: { maxBufferedBytes: BOUND } });
  let consumer: CdcConsumer | undefined;

  /** One traced writer transaction inserting rows `from`..`to`; resolves with its span. */
  const write = async (from: number, to: number) => {
    await tracer.startActiveSpan('writer', async (span) => {
      const client = await connect(cdc.info);
      try {
        await client.query('BEGIN');
        await emitTraceContext(client);
        await client.query(`INSERT INTO ${cdc.fixture.table} (id, note) SELECT g, repeat('m', 100) FROM generate_series($1::int, $2::int) g`, [from, to]);
        await client.query('COMMIT');
      } finally {
        await client.end();
        span.end();
      }
    });
    const spans = await harness.waitForSpans('writer', 1);
    return spans[spans.length - 1]!;
  };

  it('change mode: one span per change, each a child of the writer, across the chunks of a streamed transaction', async () => {
    const ids: number[] = [];
    let chunked = 0;
    consumer = cdc.consumer({
      mode: 'change',
      handler: (change, tx) => {
        ids.push(change.new?.id as number);
        if (tx.chunk) chunked++;
      },
    });
    await consumer.start();
    const writer = await write(1, 5000);
    await eventually(() => ids.length >= 5000, `5000 changes (seen ${ids.length})`, 30_000);
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(chunked).toBe(5000);
    const spans = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 5000);
    expect(spans).toHaveLength(5000);
    for (const span of [spans[0]!, spans[2500]!, spans[4999]!]) {
      expect(span.kind).toBe(SpanKind.CONSUMER);
      assertChildOf(span, writer);
      expect(span.attributes[CDC_ATTR.CHANGE_COUNT]).toBe(1);
    }
    expect(harness.spans().filter((s) => s.name.endsWith(' chunk'))).toHaveLength(0);
    expect(consumer.peakBufferedBytes).toBeLessThanOrEqual(BOUND);
  });

  it('link: true: the chunked transaction span is a root linked to the writer, its chunks still its children', async () => {
    const chunks: number[] = [];
    consumer = cdc.consumer({
      link: true,
      handler: (tx) => void chunks.push(tx.chunk?.index ?? -1),
    });
    await consumer.start();
    const writer = await write(1, 4000);
    const [transaction] = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 1, 30_000);
    expect(chunks.length).toBeGreaterThan(1);
    assertRoot(transaction!);
    assertLinkedTo(transaction!, writer);
    const chunkSpans = await harness.waitForSpans(`process ${cdc.fixture.slot} chunk`, chunks.length);
    for (const span of chunkSpans) assertChildOf(span, transaction!);
  });

  it('a spill directory that cannot be written: counted as protocol errors, nothing delivered or skipped, no file left behind', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pgcdc-spill-'));
    const errors: CdcErrorKind[] = [];
    let calls = 0;
    consumer = cdc.consumer({
      spillDirectory: join(parent, 'missing'),
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      onError: (_error, kind) => errors.push(kind),
      handler: () => void calls++,
    });
    await consumer.start();
    await write(1, 4000);
    await eventually(() => errors.filter((k) => k === 'protocol').length >= 2, 'repeated spill failures', 30_000);
    expect(calls).toBe(0);
    expect((await harness.metricPoint<number>(METRICS.CDC_ERRORS.name, { [ATTR.CDC_SLOT]: cdc.fixture.slot, [ATTR.ERROR_TYPE]: 'protocol' })).value).toBeGreaterThanOrEqual(2);
    await consumer.stop();
    expect(await readdir(parent)).toEqual([]);
    // Nothing was skipped: a consumer with a usable spill directory gets the whole transaction.
    const ids: number[] = [];
    consumer = cdc.consumer({
      spillDirectory: parent,
      handler: (tx) => void ids.push(...tx.changes.map((c) => c.new?.id as number)),
    });
    await consumer.start();
    await eventually(() => ids.length >= 4000, `4000 rows after the fix (seen ${ids.length})`, 30_000);
    expect(ids).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
    await consumer.stop();
    consumer = undefined;
    expect(await readdir(parent)).toEqual([]);
    await rm(parent, { recursive: true, force: true });
  });
});
