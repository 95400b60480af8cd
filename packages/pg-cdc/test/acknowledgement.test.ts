import { setupTelemetry } from '@threadline/testing';
import { LogicalReplicationService } from 'pg-logical-replication';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createCdcConsumer, type CdcConsumer, type CdcErrorKind, type TransactionModeOptions } from '../src/index.js';
import { cluster, connectionOf, createFixture, describeWithCluster, eventually, lsnValue, type CdcFixture } from './support/db.js';

const info = cluster();
const harness = setupTelemetry();

describeWithCluster('pg-cdc acknowledgements: only what a status update carried to the server', () => {
  let fixture: CdcFixture;
  const consumers: CdcConsumer[] = [];
  /** Every replication service the consumers subscribed with, in order (the real library, observed). */
  let services: LogicalReplicationService[] = [];

  beforeEach(async () => {
    harness.reset();
    fixture = await createFixture(info!);
    services = [];
    const subscribe = LogicalReplicationService.prototype.subscribe;
    vi.spyOn(LogicalReplicationService.prototype, 'subscribe').mockImplementation(function (this: LogicalReplicationService, ...args) {
      services.push(this);
      return subscribe.apply(this, args);
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await fixture.drop();
  });

  const consumerFor = (options: Omit<TransactionModeOptions, 'connection' | 'slot' | 'publications'>) => {
    const consumer = createCdcConsumer({
      connection: connectionOf(info!),
      slot: fixture.slot,
      publications: [fixture.publication],
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      ...options,
    });
    consumers.push(consumer);
    return consumer;
  };

  it('a status update the library drops (its service stopping) is not reported; the reconnect carries it and reports it then', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const ends: string[] = [];
    /** Each acknowledgement with the number of connections made so far. */
    const acks: { lsn: string; connection: number }[] = [];
    const errors: CdcErrorKind[] = [];
    const consumer = consumerFor({
      onAcknowledge: (lsn) => acks.push({ lsn, connection: services.length }),
      onError: (_error, kind) => errors.push(kind),
      handler: async (tx) => {
        ends.push(tx.endLsn);
        if (ends.length === 1) await blocked;
      },
    });
    await consumer.start();
    await fixture.admin.query(`INSERT INTO ${fixture.table} (id) VALUES (1)`);
    await eventually(() => ends.length === 1, 'the handler to start');
    const [first] = services;
    // The library's own stop(): from here on its acknowledge() resolves false without sending.
    const stopped = first!.stop();
    release();
    await stopped;
    await eventually(() => services.length === 2 && consumer.connected, 'the reconnect');
    const end = lsnValue(ends[0]!);
    await eventually(() => acks.some((a) => lsnValue(a.lsn) >= end), 'the acknowledgement of the handled transaction');
    // Reported once the second connection carried it, never while the first one dropped it.
    expect(acks.find((a) => lsnValue(a.lsn) >= end)!.connection).toBe(2);
    expect(errors).toContain('connection');
    expect(ends).toHaveLength(1);
    await eventually(async () => lsnValue((await fixture.slotRow()).confirmed) >= end, 'the slot to confirm it');
  });

  it('stop() right after an acknowledgement: the slot already holds it when stop() resolves (20 rounds)', async () => {
    for (let round = 1; round <= 20; round++) {
      const acks: string[] = [];
      const consumer = consumerFor({ onAcknowledge: (lsn) => acks.push(lsn), handler: () => undefined });
      await consumer.start();
      await fixture.admin.query(`INSERT INTO ${fixture.table} (id) VALUES ($1)`, [round]);
      await eventually(() => acks.length > 0, `round ${round}: an acknowledgement`);
      // Writes elsewhere keep the walsender sending while it shuts down.
      void fixture.admin.query(`INSERT INTO ${fixture.table} (id) VALUES ($1)`, [1000 + round]);
      await consumer.stop();
      const last = acks[acks.length - 1]!;
      const { confirmed } = await fixture.slotRow();
      expect(lsnValue(confirmed), `round ${round}: slot ${confirmed} vs last acknowledgement ${last}`).toBeGreaterThanOrEqual(lsnValue(last));
    }
  }, 60_000);
});
