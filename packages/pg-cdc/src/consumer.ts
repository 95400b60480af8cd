import { safeHook } from '@threadline/core';
import type { ClientConfig } from 'pg';
import { SlotMonitor, type SlotState } from './slot-monitor.js';
import { ReplicationStream } from './stream.js';
import type { CdcTelemetry } from './telemetry.js';
import type { AssembledTransaction } from './transaction.js';
import { formatLsn } from './lsn.js';
import { DEFAULT_TRACE_PREFIX } from './semconv.js';
import type { CdcConsumerOptions, CdcErrorKind, CdcTransaction } from './types.js';
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
  /** Highest end LSN whose handler resolved in this process: a redelivery of it is acknowledged, not re-run. */
  private lastProcessed = 0n;
  private lastFailure: { endLsn: bigint; attempts: number } | undefined;
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
    const stream: ReplicationStream = new ReplicationStream(
      {
        connection: this.connection,
        slot: this.options.slot,
        publications: this.options.publications,
        tracePrefix: this.options.tracePrefix ?? DEFAULT_TRACE_PREFIX,
        // Acknowledgements lost with a dropped connection: resume past what this process already handled.
        confirmed: slot.confirmed > this.lastProcessed ? slot.confirmed : this.lastProcessed,
      },
      {
        transaction: (assembled): Promise<boolean> => this.deliver(stream, assembled),
        acknowledged: (lsn) => {
          this.failuresInARow = 0;
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
  private async deliver(stream: ReplicationStream, assembled: AssembledTransaction): Promise<boolean> {
    if (assembled.endLsn <= this.lastProcessed) return true;
    const base = assembled.transaction;
    if (base.changes.length === 0 && base.messages.length === 0) return true;
    const attempts = this.lastFailure?.endLsn === assembled.endLsn ? this.lastFailure.attempts : 0;
    const transaction: CdcTransaction = attempts > 0 ? { ...base, attempt: attempts + 1 } : base;
    const delivery: AssembledTransaction = { ...assembled, transaction };
    this.telemetry.delivered(delivery);
    try {
      if (this.options.mode === 'change') {
        const handler = this.options.handler;
        for (const change of transaction.changes) await this.telemetry.run(delivery, change, () => handler(change, transaction));
      } else {
        const handler = this.options.handler;
        await this.telemetry.run(delivery, undefined, () => handler(transaction));
      }
    } catch (error) {
      this.lastFailure = { endLsn: assembled.endLsn, attempts: attempts + 1 };
      this.telemetry.failed();
      this.onError(error, 'handler');
      if (await this.deadLettered(transaction, attempts + 1, error)) {
        this.lastProcessed = assembled.endLsn;
        this.lastFailure = undefined;
        return true;
      }
      if (this.stream === stream) this.retire(stream);
      return false;
    }
    this.lastProcessed = assembled.endLsn;
    this.lastFailure = undefined;
    this.telemetry.completed(delivery);
    return true;
  }

  /** True when a transaction out of attempts was handed to `onDeadLetter` and may be acknowledged. */
  private async deadLettered(transaction: CdcTransaction, failures: number, error: unknown): Promise<boolean> {
    const { maxAttempts, onDeadLetter } = this.options;
    if (maxAttempts === undefined || onDeadLetter === undefined || failures < maxAttempts) return false;
    try {
      await onDeadLetter(transaction, error);
    } catch (deadLetterError) {
      this.onError(deadLetterError, 'handler');
      return false;
    }
    this.telemetry.error('dead_letter');
    this.onError(error, 'dead_letter');
    return true;
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
