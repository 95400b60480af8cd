import { ATTR, METRICS } from '@threadline/core';
import { setupTelemetry } from '@threadline/testing';
import { expect, it } from 'vitest';
import { CDC_ATTR, type CdcErrorKind } from '../src/index.js';
import { describeWithCluster, connectionOf, eventually, lsnValue } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();

describeWithCluster('pg-cdc at-least-once delivery', () => {
  const cdc = useCdcSuite({ harness, defaults: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } });


  it('a failed handler never advances the slot; the transaction is redelivered after a restart', async () => {
    const failedEnds: string[] = [];
    const first = cdc.consumer({
      reconnect: { initialDelayMs: 60_000 },
      handler: (tx) => {
        failedEnds.push(tx.endLsn);
        throw new Error('downstream unavailable');
      },
    });
    await first.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (42)`);
    await eventually(() => failedEnds.length === 1, 'the failing delivery');
    await first.stop();
    // Not acknowledged: confirmed_flush_lsn is still below the transaction's end (idle keep-alives
    // from other databases' writes may move it, never past a pending transaction).
    expect(lsnValue((await cdc.fixture.slotRow()).confirmed)).toBeLessThan(lsnValue(failedEnds[0]!));

    const delivered: { id: unknown; endLsn: string; attempt: number }[] = [];
    const acks: string[] = [];
    const restarted = cdc.consumer({
      onAcknowledge: (lsn) => acks.push(lsn),
      handler: (tx) => {
        delivered.push({ id: tx.changes[0]?.new?.id, endLsn: tx.endLsn, attempt: tx.attempt });
      },
    });
    await restarted.start();
    await eventually(() => acks.includes(failedEnds[0]!), 'the acknowledgement after redelivery');
    expect(delivered).toEqual([{ id: 42, endLsn: failedEnds[0], attempt: 1 }]);
    await restarted.stop();
    expect(lsnValue((await cdc.fixture.slotRow()).confirmed)).toBeGreaterThanOrEqual(lsnValue(failedEnds[0]!));
  });

  it('retries a failed handler in-process with backoff, marking the attempt', async () => {
    let calls = 0;
    const errors: CdcErrorKind[] = [];
    const consumer = cdc.consumer({
      onError: (_error, kind) => errors.push(kind),
      handler: () => {
        calls++;
        if (calls < 3) throw new Error(`attempt ${calls} fails`);
      },
    });
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
    const spans = await harness.waitForSpans(`process ${cdc.fixture.slot}`, 3);
    expect(spans.map((s) => s.attributes[CDC_ATTR.ATTEMPT])).toEqual([undefined, 2, 3]);
    expect(spans.map((s) => s.status.code)).toEqual([2, 2, 0]);
    expect(errors).toEqual(['handler', 'handler']);
    expect((await harness.metricPoint(METRICS.CDC_ERRORS.name, { [ATTR.CDC_SLOT]: cdc.fixture.slot, [ATTR.ERROR_TYPE]: 'handler' })).value).toBe(2);
  });

  it('hands a transaction that failed maxAttempts times to onDeadLetter, then moves the slot past it', async () => {
    const attemptsSeen: number[] = [];
    const deadLetters: { ids: unknown[]; attempt: number; message: string }[] = [];
    const acks: string[] = [];
    const errors: CdcErrorKind[] = [];
    const consumer = cdc.consumer({
      maxAttempts: 3,
      onDeadLetter: (tx, error) => {
        deadLetters.push({ ids: tx.changes.map((c) => c.new?.id), attempt: tx.attempt, message: (error as Error).message });
      },
      onAcknowledge: (lsn) => acks.push(lsn),
      onError: (_error, kind) => errors.push(kind),
      handler: (tx) => {
        const id = tx.changes[0]?.new?.id;
        attemptsSeen.push(tx.attempt);
        if (id === 13) throw new Error('poison row');
      },
    });
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (13)`);
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (14)`);
    await eventually(() => attemptsSeen.length === 4, 'three failed attempts, then the next transaction');
    expect(attemptsSeen).toEqual([1, 2, 3, 1]);
    expect(deadLetters).toEqual([{ ids: [13], attempt: 3, message: 'poison row' }]);
    expect(errors).toEqual(['handler', 'handler', 'handler', 'dead_letter']);
    await eventually(() => acks.length >= 2, 'acknowledgements past the poison transaction');
    expect((await harness.metricPoint(METRICS.CDC_ERRORS.name, { [ATTR.CDC_SLOT]: cdc.fixture.slot, [ATTR.ERROR_TYPE]: 'dead_letter' })).value).toBe(1);
    expect((await harness.metricPoint(METRICS.CDC_ERRORS.name, { [ATTR.CDC_SLOT]: cdc.fixture.slot, [ATTR.ERROR_TYPE]: 'handler' })).value).toBe(3);
  });

  it('keeps retrying when onDeadLetter itself throws, and rejects a half-configured dead letter at construction', async () => {
    expect(() => cdc.consumer({ maxAttempts: 2, handler: () => undefined })).toThrow(/`maxAttempts` and `onDeadLetter` go together/);
    expect(() => cdc.consumer({ maxAttempts: 0, onDeadLetter: () => undefined, handler: () => undefined })).toThrow(/whole number ≥ 1/);
    let calls = 0;
    let deadLetterCalls = 0;
    const consumer = cdc.consumer({
      maxAttempts: 1,
      onDeadLetter: () => {
        deadLetterCalls++;
        if (deadLetterCalls < 2) throw new Error('dead-letter store down');
      },
      handler: () => {
        calls++;
        throw new Error('always fails');
      },
    });
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (7)`);
    await eventually(() => deadLetterCalls === 2, 'a second dead-letter attempt after the first one threw');
    expect(calls).toBe(2);
    expect((await harness.metricPoint(METRICS.CDC_ERRORS.name, { [ATTR.CDC_SLOT]: cdc.fixture.slot, [ATTR.ERROR_TYPE]: 'dead_letter' })).value).toBe(1);
  });

  it('reconnects after pg_terminate_backend of the walsender mid-stream: no gap, no duplicate, acknowledgements strictly increase', async () => {
    const total = 300;
    const seen: number[] = [];
    const acks: bigint[] = [];
    const consumer = cdc.consumer({
      onAcknowledge: (lsn) => acks.push(lsnValue(lsn)),
      handler: async (tx) => {
        for (const change of tx.changes) seen.push(change.new?.id as number);
        // Slow enough that the termination lands while transactions are still streaming.
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });
    await consumer.start();
    const writer = (async () => {
      for (let id = 1; id <= total; id++) await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES ($1)`, [id]);
    })();
    await eventually(() => seen.length >= 30, 'the first transactions');
    const { active_pid: walsender } = await cdc.fixture.slotRow();
    expect(walsender).toBeTypeOf('number');
    await cdc.fixture.admin.query('SELECT pg_terminate_backend($1)', [walsender]);
    await writer;
    await eventually(() => seen.length >= total, `all ${total} rows (seen ${seen.length})`, 20_000);

    expect(new Set(seen).size).toBe(total);
    expect(seen).toHaveLength(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    for (let i = 1; i < acks.length; i++) expect(acks[i]! > acks[i - 1]!).toBe(true);
    const { active_pid: after } = await cdc.fixture.slotRow();
    expect(after).not.toBe(walsender);
    expect(consumer.connected).toBe(true);
    const slotLabel = { [ATTR.CDC_SLOT]: cdc.fixture.slot };
    expect((await harness.metricPoint<number>(METRICS.CDC_ERRORS.name, { ...slotLabel, [ATTR.ERROR_TYPE]: 'connection' })).value).toBeGreaterThanOrEqual(1);
    expect((await harness.metricPoint(METRICS.CDC_CONNECTED.name, slotLabel)).value).toBe(1);
    await consumer.stop();
    // Everything processed was acknowledged before stop returned.
    expect(lsnValue((await cdc.fixture.slotRow()).confirmed)).toBeGreaterThanOrEqual(acks[acks.length - 1]!);
  });

  it('a connection lost while a handler runs: the reconnect waits for it, and its transaction is not run again', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let maxRunning = 0;
    const ids: unknown[] = [];
    const consumer = cdc.consumer({
      handler: async (tx) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        ids.push(tx.changes[0]?.new?.id);
        if (ids.length === 1) await blocked;
        running--;
      },
    });
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
    await eventually(() => ids.length === 1, 'the first handler to start');
    const { active_pid: walsender } = await cdc.fixture.slotRow();
    await cdc.fixture.admin.query('SELECT pg_terminate_backend($1)', [walsender]);
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (2)`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ids).toEqual([1]);
    } finally {
      release();
    }
    await eventually(() => ids.length === 2, 'the second transaction after the reconnect');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ids).toEqual([1, 2]);
    expect(maxRunning).toBe(1);
  });

  it('answers keep-alives while a handler is busy without confirming its transaction', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const ends: string[] = [];
    const consumer = cdc.consumer({
      // A 1 s wal_sender_timeout: the server asks for a reply every 0.5 s and drops a silent client after 1 s.
      connection: { ...connectionOf(cdc.info), options: '-c wal_sender_timeout=1000' },
      handler: async (tx) => {
        ends.push(tx.endLsn);
        await blocked;
      },
    });
    await consumer.start();
    const { active_pid: walsender } = await cdc.fixture.slotRow();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
    await eventually(() => ends.length === 1, 'the handler to start');
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const during = await cdc.fixture.slotRow();
      expect(during.active_pid).toBe(walsender);
      expect(lsnValue(during.confirmed)).toBeLessThan(lsnValue(ends[0]!));
      expect(await harness.findMetricPoint(METRICS.CDC_ERRORS.name, { [ATTR.CDC_SLOT]: cdc.fixture.slot })).toBeUndefined();
    } finally {
      release();
    }
    await eventually(async () => lsnValue((await cdc.fixture.slotRow()).confirmed) >= lsnValue(ends[0]!), 'the acknowledgement after the handler');
    expect(ends).toHaveLength(1);
  });
});
