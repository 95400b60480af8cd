import type { TelemetryHarness } from '@threadline/testing';
import { afterEach, beforeEach } from 'vitest';
import { createCdcConsumer, type CdcConsumer, type CdcConsumerOptions, type ChangeModeOptions, type TransactionModeOptions } from '../../src/index.js';
import { cluster, connectionOf, createFixture, type CdcFixture, type ClusterInfo } from './db.js';

type Supplied = 'connection' | 'slot' | 'publications';
type Loose<O extends CdcConsumerOptions> = Omit<O, Supplied> & Partial<Pick<O, Supplied>>;

/** A test's consumer options: the fixture supplies connection, slot and publications unless given. */
export type TestConsumerOptions = Loose<TransactionModeOptions> | Loose<ChangeModeOptions>;

/** Options every consumer of one suite shares (a test's own options win). */
export type SuiteDefaults = Partial<Omit<TransactionModeOptions, Supplied | 'mode' | 'handler'>>;

export interface CdcSuite {
  /** The private logical cluster (only read inside tests: the suite is skipped without one). */
  readonly info: ClusterInfo;
  /** This test's own table, publication and pgoutput slot, fresh for every test. */
  readonly fixture: CdcFixture;
  /** A consumer on the fixture's slot and publication with the suite's defaults; stopped after the test. */
  consumer(options: TestConsumerOptions): CdcConsumer;
  /** Stops `consumer` after the test too (one built another way, e.g. through an instrumentation). */
  track<C extends CdcConsumer>(consumer: C): C;
}

/**
 * The lifecycle every CDC suite shares; call it inside the `describeWithCluster` body. Before each
 * test: the harness is reset and a fixture created; after it: its consumers stop, then the fixture
 * is dropped (after hooks a file registers later run first, while the fixture still exists).
 */
export function useCdcSuite(settings: { harness?: TelemetryHarness; defaults?: SuiteDefaults } = {}): CdcSuite {
  const info = cluster();
  const consumers: CdcConsumer[] = [];
  let current: CdcFixture | undefined;

  beforeEach(async () => {
    settings.harness?.reset();
    current = await createFixture(info!);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
    await current?.drop();
    current = undefined;
  });

  const track = <C extends CdcConsumer>(consumer: C): C => {
    consumers.push(consumer);
    return consumer;
  };
  const suite: CdcSuite = {
    get info() {
      return info!;
    },
    get fixture() {
      if (!current) throw new Error('the CDC fixture exists only inside a test');
      return current;
    },
    consumer(options) {
      const { slot, publication } = suite.fixture;
      const full = { connection: connectionOf(info!), slot, publications: [publication], ...settings.defaults, ...options };
      return track(createCdcConsumer(full as CdcConsumerOptions));
    },
    track,
  };
  return suite;
}
