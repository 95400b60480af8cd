import { setupTelemetry } from '@threadline/testing';
import { LogicalReplicationService } from 'pg-logical-replication';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { CdcErrorKind } from '../src/index.js';
import { describeWithCluster, eventually, lsnValue } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();

describeWithCluster('pg-cdc acknowledgements: only what a status update carried to the server', () => {
  const cdc = useCdcSuite({ harness, defaults: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } });
  /** Every replication service the consumers subscribed with, in order (the real library, observed). */
  let services: LogicalReplicationService[] = [];

  beforeEach(() => {
    services = [];
    const subscribe = LogicalReplicationService.prototype.subscribe;
    vi.spyOn(LogicalReplicationService.prototype, 'subscribe').mockImplementation(function (this: LogicalReplicationService, ...args) {
      services.push(this);
      return subscribe.apply(this, args);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a status update the library drops (its service stopping) is not reported; the reconnect carries it and reports it then', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const ends: string[] = [];
    /** Each acknowledgement with the number of connections made so far. */
    const acks: { lsn: string; connection: number }[] = [];
    const errors: CdcErrorKind[] = [];
    const consumer = cdc.consumer({
      onAcknowledge: (lsn) => acks.push({ lsn, connection: services.length }),
      onError: (_error, kind) => errors.push(kind),
      handler: async (tx) => {
        ends.push(tx.endLsn);
        if (ends.length === 1) await blocked;
      },
    });
    await consumer.start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES (1)`);
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
    await eventually(async () => lsnValue((await cdc.fixture.slotRow()).confirmed) >= end, 'the slot to confirm it');
  });

  it('stop() right after an acknowledgement: the slot already holds it when stop() resolves (20 rounds)', async () => {
    for (let round = 1; round <= 20; round++) {
      const acks: string[] = [];
      const consumer = cdc.consumer({ onAcknowledge: (lsn) => acks.push(lsn), handler: () => undefined });
      await consumer.start();
      await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES ($1)`, [round]);
      await eventually(() => acks.length > 0, `round ${round}: an acknowledgement`);
      // Writes elsewhere keep the walsender sending while it shuts down.
      void cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id) VALUES ($1)`, [1000 + round]);
      await consumer.stop();
      const last = acks[acks.length - 1]!;
      const { confirmed } = await cdc.fixture.slotRow();
      expect(lsnValue(confirmed), `round ${round}: slot ${confirmed} vs last acknowledgement ${last}`).toBeGreaterThanOrEqual(lsnValue(last));
    }
  }, 60_000);
});
