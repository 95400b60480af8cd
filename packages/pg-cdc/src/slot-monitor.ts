import pg from 'pg';
import type { ClientConfig } from 'pg';
import { parseLsn } from './lsn.js';

export interface SlotState {
  readonly plugin: string;
  /** confirmed_flush_lsn: where streaming resumes. */
  readonly confirmed: bigint;
  /** pg_current_wal_lsn() - confirmed_flush_lsn. */
  readonly lagBytes: number;
  /** pg_current_wal_lsn() - restart_lsn: WAL the server keeps for this slot. */
  readonly retainedBytes: number;
  /** Walsender pid while a consumer streams from the slot. */
  readonly activePid: number | null;
}

const SLOT_SQL = `SELECT plugin, confirmed_flush_lsn::text AS confirmed, active_pid,
  pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::float8 AS lag_bytes,
  pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 AS retained_bytes
  FROM pg_replication_slots WHERE slot_name = $1`;

/**
 * A plain (non-replication) connection for what the stream cannot tell: the slot's confirmed
 * position at connect time, and the server-side lag / retained WAL (heartbeat timestamps from the
 * library use a wrong epoch, so lag comes from the server).
 */
export class SlotMonitor {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;

  constructor(
    private readonly connection: ClientConfig,
    private readonly slot: string,
  ) {}

  /** The slot's state, or undefined when it does not exist. */
  async read(): Promise<SlotState | undefined> {
    const result = await this.query(SLOT_SQL, [this.slot]);
    const row = result.rows[0] as
      | { plugin: string; confirmed: string | null; active_pid: number | null; lag_bytes: number | null; retained_bytes: number | null }
      | undefined;
    if (!row) return undefined;
    return {
      plugin: row.plugin,
      confirmed: row.confirmed ? parseLsn(row.confirmed) : 0n,
      lagBytes: Math.max(0, row.lag_bytes ?? 0),
      retainedBytes: Math.max(0, row.retained_bytes ?? 0),
      activePid: row.active_pid,
    };
  }

  async createSlot(): Promise<void> {
    await this.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [this.slot]);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    await client?.end().catch(() => undefined);
  }

  private async query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const client = await this.connect();
    try {
      return await client.query(text, values);
    } catch (error) {
      // A broken connection is replaced on the next call.
      if (this.client === client) await this.close();
      throw error;
    }
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ ...this.connection, application_name: 'threadline-pg-cdc-monitor' });
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      this.client = client;
      this.connecting = undefined;
      return client;
    })();
    return this.connecting;
  }
}
