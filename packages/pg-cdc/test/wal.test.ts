import { ATTR, METRICS } from '@threadline/core';
import { setupTelemetry } from '@threadline/testing';
import { expect, it } from 'vitest';
import type { CdcConsumer } from '../src/index.js';
import { describeWithCluster, eventually } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();

describeWithCluster('pg-cdc retained WAL and lag gauges', () => {
  const cdc = useCdcSuite({ harness });
  let consumer: CdcConsumer | undefined;

  it('retained WAL and lag bytes grow while the consumer is paused and shrink after it acknowledges', async () => {
    let rows = 0;
    consumer = cdc.consumer({
      // Polled by the interval too; the test also polls on demand to read values right away.
      slotPollIntervalMs: 100,
      handler: (tx) => {
        rows += tx.changes.length;
      },
    });
    await consumer.start();
    const slotLabel = { [ATTR.CDC_SLOT]: cdc.fixture.slot };
    const gauges = async () => ({
      retained: (await harness.metricPoint<number>(METRICS.CDC_RETAINED_WAL.name, slotLabel)).value,
      lag: (await harness.metricPoint<number>(METRICS.CDC_LAG_BYTES.name, slotLabel)).value,
    });
    await consumer.pollSlot();
    const baseline = await gauges();

    await consumer.pause();
    expect(consumer.connected).toBe(false);
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id, note) SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`);
    const paused = await consumer.pollSlot();
    const whilePaused = await gauges();
    expect(whilePaused.retained).toBe(paused!.retainedBytes);
    expect(whilePaused.retained - baseline.retained).toBeGreaterThan(2_000_000);
    expect(whilePaused.lag - baseline.lag).toBeGreaterThan(2_000_000);
    expect(rows).toBe(0);

    await consumer.resume();
    await eventually(() => rows === 20000, 'the 20 000 rows after resume');
    let nextId = 20001;
    // restart_lsn moves once a running-xacts record (written by CHECKPOINT) is decoded and a later position confirmed.
    await eventually(
      async () => {
        await cdc.fixture.admin.query('CHECKPOINT');
        await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES ($1)`, [nextId++]);
        await consumer!.pollSlot();
        const now = await gauges();
        return now.retained < whilePaused.retained / 4 && now.lag < whilePaused.lag / 4;
      },
      'retained WAL and lag bytes to shrink after acknowledgements',
      15_000,
    );
  });
});
