import { uniqueName } from '@threadline/testing';
import pg from 'pg';
import { describe, inject } from 'vitest';

export type ClusterInfo = NonNullable<ReturnType<typeof inject<'pgCdcCluster'>>>;

/** The suite's private logical cluster, or undefined (outside CI, without Postgres binaries: skip). */
export function cluster(): ClusterInfo | undefined {
  return inject('pgCdcCluster') ?? undefined;
}

/**
 * `describe` for the CDC suites: skipped only when the global setup found no Postgres server
 * binaries outside CI (it said so, with the package to install); with CI=true it failed instead.
 */
export const describeWithCluster = cluster() ? describe : (describe.skip as typeof describe);

export function connectionOf(info: ClusterInfo): pg.ClientConfig {
  return { host: info.host, port: info.port, user: info.user, database: info.database };
}

export async function connect(info: ClusterInfo): Promise<pg.Client> {
  const client = new pg.Client(connectionOf(info));
  await client.connect();
  return client;
}

/** One test's own table + publication + pgoutput slot, so files and tests never see each other's changes. */
export interface CdcFixture {
  readonly table: string;
  readonly publication: string;
  readonly slot: string;
  readonly admin: pg.Client;
  /** confirmed_flush_lsn / restart_lsn of the slot, as text. */
  slotRow(): Promise<{ confirmed: string; restart: string; active_pid: number | null }>;
  drop(): Promise<void>;
}

export async function createFixture(info: ClusterInfo, columns = 'id int primary key, note text'): Promise<CdcFixture> {
  const admin = await connect(info);
  const table = uniqueName('cdc_t');
  const publication = uniqueName('cdc_p');
  const slot = uniqueName('cdc_s');
  await admin.query(`CREATE TABLE ${table} (${columns})`);
  await admin.query(`CREATE PUBLICATION ${publication} FOR TABLE ${table}`);
  await admin.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  return {
    table,
    publication,
    slot,
    admin,
    async slotRow() {
      const { rows } = await admin.query(
        'SELECT confirmed_flush_lsn::text AS confirmed, restart_lsn::text AS restart, active_pid FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      return rows[0];
    },
    async drop() {
      for (let i = 0; i < 50; i++) {
        const { rows } = await admin.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        if (!rows[0] || !rows[0].active) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]).catch(() => undefined);
      await admin.query(`DROP PUBLICATION IF EXISTS ${publication}`);
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    },
  };
}

/** Polls `check` until it returns a truthy value (default 10 s). */
export async function eventually<T>(check: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function lsnValue(text: string): bigint {
  const [high = '0', low = '0'] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}
