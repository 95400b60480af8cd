import { safeHook } from '@threadline/core';
import { tmpdir } from 'node:os';
import type { ClientConfig } from 'pg';
import { Deliverer } from './delivery.js';
import { SlotMonitor, type SlotState } from './slot-monitor.js';
import { MemoryGauge } from './spool.js';
import { ReplicationStream, type MemoryBudget } from './stream.js';
import type { CdcTelemetry } from './telemetry.js';
import type { CommittedTransaction } from './transaction.js';
import { formatLsn } from './lsn.js';
import { DEFAULT_TRACE_PREFIX } from './semconv.js';
import type { CdcConsumerOptions, CdcErrorKind } from './types.js';
import { validateOptions } from './validate.js';

type State = 'idle' | 'running' | 'paused' | 'stopped';

/**
 * A logical-replication consumer with at-least-once delivery: a transaction's end LSN is
 * acknowledged only after its handler resolved; a failed handler or a lost connection reconnects
 * with backoff from the slot's confirmed position, so nothing is skipped.
 */
export class CdcConsumer {
  private readonly connection: ClientConfig;
  private readonly monitor: SlotMonitor;
  private readonly onError: (error: unknown, kind: CdcErrorKind) => void;
  private readonly onAcknowledge: (lsn: string) => void;
  private state: State = 'idle';
  private stream: ReplicationStream | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private failuresInARow = 0;
  /** Highest position reported to onAcknowledge: each connection re-sends what its predecessor dropped. */
  private acknowledged = 0n;
  private readonly deliverer: Deliverer;
  private readonly budget: MemoryBudget;
  /** The previous connection's handler still running: a reconnect waits for it, keeping delivery in order. */
  private retiring: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: CdcConsumerOptions,
    private readonly telemetry: CdcTelemetry,
  ) {
    validateOptions(options);
    this.connection = typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection;
    this.monitor = new SlotMonitor(this.connection, options.slot);
    this.onError = safeHook(options.onError, 'pg-cdc onError');
    this.onAcknowledge = safeHook(options.onAcknowledge, 'pg-cdc onAcknowledge');
    const bound = options.maxBufferedBytes;
    // The budget: a quarter for messages queued ahead of the handler (and the socket's overshoot),
    // a quarter for a spool's unspilled tail, half for the chunk in the handler's hands.
    this.budget = {
      gauge: new MemoryGauge((bytes) => telemetry.bufferedBytes(bytes)),
      streaming: bound !== undefined,
      spoolMemory: bound === undefined ? Infinity : Math.floor(bound / 4),
      queueBytes: bound === undefined ? Infinity : Math.floor(bound / 8),
      spillDirectory: options.spillDirectory ?? tmpdir(),
    };
    this.deliverer = new Deliverer(options, telemetry, this.onError, bound === undefined ? Infinity : Math.floor(bound / 2));
  }

  /** Most transaction bytes held in memory at once so far (the `threadline.cdc.buffered_bytes` gauge's peak). */
  get peakBufferedBytes(): number {
    return this.budget.gauge.peak;
  }

  get slot(): string {
    return this.options.slot;
  }

  /** True while a replication connection streams. */
  get connected(): boolean {
    return this.stream !== undefined;
  }

  /** Connects and starts streaming. Rejects when the first connection fails (missing slot, wrong plugin, refused). */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state === 'stopped') throw new Error('this CDC consumer was stopped; create a new one');
    this.state = 'running';
    this.startPolling();
    try {
      await this.connect();
    } catch (error) {
      await this.stop();
      throw error;
    }
    void this.pollSlot();
  }

  /** Disconnects but keeps the slot (and the slot gauges polling): changes accumulate server-side. */
  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'paused';
    await this.disconnect();
  }

  async resume(): Promise<void> {
    if (this.state !== 'paused') return;
    this.state = 'running';
    await this.connect().catch((error: unknown) => this.lost(undefined, error, 'connection'));
  }

  /** Finishes the handler in progress (and acknowledges it), then closes everything. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    await this.disconnect();
    await this.monitor.close();
  }

  /** Reads pg_replication_slots now and updates the lag-bytes and retained-WAL gauges. */
  async pollSlot(): Promise<SlotState | undefined> {
    try {
      const state = await this.monitor.read();
      if (state) this.telemetry.slotState(state.lagBytes, state.retainedBytes);
      return state;
    } catch (error) {
      // A poll cut short by stop() is not a failure.
      if (this.state === 'stopped') return undefined;
      this.telemetry.error('monitor');
      this.onError(error, 'monitor');
      return undefined;
    }
  }

  private startPolling(): void {
    const interval = this.options.slotPollIntervalMs ?? 10_000;
    if (interval > 0 && !this.pollTimer) {
      this.pollTimer = setInterval(() => void this.pollSlot(), interval);
      this.pollTimer.unref();
    }
  }

  private async connect(): Promise<void> {
    let slot = await this.monitor.read();
    if (!slot && this.options.createSlot) {
      await this.monitor.createSlot();
      slot = await this.monitor.read();
    }
    if (!slot) {
      const name = this.options.slot;
      throw new Error(
        `replication slot "${name}" does not exist: create it with SELECT pg_create_logical_replication_slot('${name}', 'pgoutput') or pass createSlot: true`,
      );
    }
    if (slot.plugin !== 'pgoutput') {
      throw new Error(`replication slot "${this.options.slot}" uses the ${slot.plugin} plugin; @threadline/pg-cdc reads pgoutput slots`);
    }
    const lastProcessed = this.deliverer.lastProcessed;
    const stream: ReplicationStream = new ReplicationStream(
      {
        connection: this.replicationConnection(),
        budget: this.budget,
        slot: this.options.slot,
        publications: this.options.publications,
        tracePrefix: this.options.tracePrefix ?? DEFAULT_TRACE_PREFIX,
        confirmed: slot.confirmed,
        // Status updates dropped with the last connection: resume past what this process already handled.
        handled: slot.confirmed > lastProcessed ? slot.confirmed : lastProcessed,
      },
      {
        transaction: (committed): Promise<boolean> => this.deliver(stream, committed),
        handled: (lsn) => {
          // Idle keep-alives count too (everything below was handled): a reconnect resumes past them.
          if (lsn > this.deliverer.lastProcessed) this.deliverer.lastProcessed = lsn;
        },
        acknowledged: (lsn) => {
          this.failuresInARow = 0;
          if (lsn <= this.acknowledged) return;
          this.acknowledged = lsn;
          this.onAcknowledge(formatLsn(lsn));
        },
        ended: (error, kind) => {
          if (this.stream === stream) this.lost(stream, error, kind);
        },
      },
    );
    await stream.start();
    if (this.state !== 'running') {
      await stream.close();
      return;
    }
    this.stream = stream;
    this.telemetry.connected(true);
  }

  private async disconnect(): Promise<void> {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const stream = this.stream;
    this.stream = undefined;
    this.telemetry.connected(false);
    await stream?.close();
  }

  /** Runs the handler for one transaction; false leaves it unacknowledged and reconnects. */
  private async deliver(stream: ReplicationStream, committed: CommittedTransaction): Promise<boolean> {
    const ok = await this.deliverer.deliver(committed);
    if (!ok && this.stream === stream) this.retire(stream);
    return ok;
  }

  /**
   * With a memory bound, the replication session decodes with logical_decoding_work_mem at a
   * quarter of it (the server's own unit is kB, 64 at least), so any transaction larger than that
   * arrives streamed. A value in the app's own `options` comes later and wins.
   */
  private replicationConnection(): ClientConfig {
    const bound = this.options.maxBufferedBytes;
    if (bound === undefined) return this.connection;
    const kilobytes = Math.max(64, Math.floor(bound / 4 / 1024));
    const own = this.connection.options;
    return { ...this.connection, options: `-c logical_decoding_work_mem=${kilobytes}kB${own ? ` ${own}` : ''}` };
  }

  private lost(stream: ReplicationStream | undefined, error: unknown, kind: CdcErrorKind): void {
    this.telemetry.error(kind);
    this.onError(error, kind);
    this.retire(stream);
  }

  /** Drops the current connection and reconnects once its running handler (if any) settled. */
  private retire(stream: ReplicationStream | undefined): void {
    if (stream && this.stream === stream) {
      this.stream = undefined;
      this.retiring = stream.whenIdle();
    }
    this.telemetry.connected(this.stream !== undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state !== 'running' || this.reconnectTimer) return;
    const initial = this.options.reconnect?.initialDelayMs ?? 100;
    const max = this.options.reconnect?.maxDelayMs ?? 10_000;
    const delay = Math.min(max, initial * 2 ** this.failuresInARow) * (0.8 + Math.random() * 0.4);
    this.failuresInARow++;
    const timer = setTimeout(() => {
      void this.retiring.then(() => {
        // Cleared meanwhile by pause() / stop(): a newer connection (or none) is wanted.
        if (this.reconnectTimer !== timer) return;
        this.reconnectTimer = undefined;
        if (this.state !== 'running') return;
        this.connect().catch((error: unknown) => this.lost(undefined, error, 'connection'));
      });
    }, delay);
    this.reconnectTimer = timer;
  }
}
