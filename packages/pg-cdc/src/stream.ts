import { LogicalReplicationService } from 'pg-logical-replication';
import type { ClientConfig } from 'pg';
import { endReplication, setSocketPaused } from './library-internals.js';
import { formatLsn, parseLsn } from './lsn.js';
import { StreamingPgoutputPlugin, type WireMessage } from './pgoutput.js';
import { SpillDirectory, type MemoryGauge } from './spool.js';
import { StatusUpdates } from './status.js';
import { TransactionRouter, type CommittedTransaction } from './transaction.js';

/** What one replication connection reports to the consumer. Knows the library, nothing of OTel. */
export interface StreamEvents {
  /** Runs the handler; resolves true when it succeeded (the stream then acknowledges), false to end the stream. */
  transaction(committed: CommittedTransaction): Promise<boolean>;
  /** Everything below `lsn` was handled (a processed transaction or an idle keep-alive past all of it). */
  handled(lsn: bigint): void;
  /** A status update carried `lsn` to the server (the library's acknowledge() resolved true). */
  acknowledged(lsn: bigint): void;
  /** The connection ended without close(): lost, terminated, refused, or undecodable data. */
  ended(error: unknown, kind: 'connection' | 'protocol'): void;
}

/** How much transaction data one connection may hold in memory (from `maxBufferedBytes`). */
export interface MemoryBudget {
  readonly gauge: MemoryGauge;
  /** pgoutput streaming on: large transactions arrive in stream blocks before their commit. */
  readonly streaming: boolean;
  /** Bytes a transaction's spool keeps in memory before it spills to disk. */
  readonly spoolMemory: number;
  /** Queued bytes above which the socket is paused. */
  readonly queueBytes: number;
  readonly spillDirectory: string;
}

export interface StreamOptions {
  readonly connection: ClientConfig;
  readonly slot: string;
  readonly publications: readonly string[];
  readonly tracePrefix: string;
  /** The slot's confirmed_flush_lsn when connecting. */
  readonly confirmed: bigint;
  /** Where streaming resumes: `confirmed`, or later when this process handled more (its status was dropped). */
  readonly handled: bigint;
  readonly budget: MemoryBudget;
}

type QueueItem = { kind: 'data'; message: WireMessage; bytes: number } | { kind: 'idle'; lsn: bigint };

// Pause the socket above this many undelivered messages; resume once the handler drained it below LOW_WATER.
const HIGH_WATER = 512;
const LOW_WATER = 64;
// How long close() waits for the server to end the replication command before it drops the connection.
const END_COPY_TIMEOUT_MS = 2000;

/**
 * One replication connection: pgoutput v2 with logical messages, acknowledgements only for
 * processed transactions. The library's own keep-alive timer is off (timeoutSeconds 0): it would
 * confirm the last *seen* LSN (upstream issue #22). Keep-alives are answered with the last
 * *processed* position, and an idle keep-alive advances it only when nothing is pending before it.
 */
export class ReplicationStream {
  private readonly service: LogicalReplicationService;
  private readonly plugin: StreamingPgoutputPlugin;
  private readonly router: TransactionRouter;
  private readonly spill: SpillDirectory;
  private queuedBytes = 0;
  private readonly queue: QueueItem[] = [];
  private readonly status: StatusUpdates;
  private started = false;
  private stopping = false;
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private paused = false;
  private closed = false;
  private cleaned: Promise<void> = Promise.resolve();
  private destroyed: Promise<unknown> = Promise.resolve();
  /** Settles when the server ended the replication command (or the connection failed). */
  private subscribed: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: StreamOptions,
    private readonly events: StreamEvents,
  ) {
    const { budget } = options;
    this.plugin = new StreamingPgoutputPlugin({ publicationNames: [...options.publications], streaming: budget.streaming });
    this.spill = new SpillDirectory(budget.spillDirectory);
    this.router = new TransactionRouter({
      tracePrefix: options.tracePrefix,
      spill: this.spill,
      memory: budget.gauge,
      spoolMemory: budget.spoolMemory,
      parse: (raw) => this.plugin.parseRaw(raw),
    });
    this.service = new LogicalReplicationService(options.connection, { acknowledge: { auto: false, timeoutSeconds: 0 } });
    this.status = new StatusUpdates(this.service, options, (lsn) => events.acknowledged(lsn));
    this.service.on('data', (_lsn: string, message: WireMessage) => {
      const bytes = message.tag === 'raw' ? message.raw.length + 8 : 0;
      this.enqueue({ kind: 'data', message, bytes });
    });
    this.service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => this.heartbeat(lsn, shouldRespond));
    // Before the stream started, failures reject start() instead.
    this.service.on('error', (error: unknown) => {
      if (this.started) this.end(error, 'connection');
    });
  }

  /** Connects and starts streaming from the slot's confirmed position; resolves once the server streams. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.service.once('start', () => {
        this.started = true;
        // The resume position at once: ahead of the slot when the last connection dropped a status.
        this.status.send();
        resolve();
      });
      const plugin = this.plugin;
      const failed = (error: unknown) => {
        if (this.started) this.end(error, 'connection');
        else {
          this.shutdown();
          reject(error);
        }
      };
      // The explicit start LSN matters: the library would otherwise resume from the last LSN it *saw*.
      this.subscribed = this.service
        .subscribe(plugin, this.options.slot, formatLsn(this.options.handled))
        .then(() => failed(new Error('replication stream ended by the server')), failed);
    });
  }

  /**
   * Stops streaming: the handler already running finishes and is acknowledged, nothing queued
   * after it is delivered (it stays in the slot for the next connection). Resolves once the server
   * ended the replication command, so the slot holds every status update sent before.
   */
  async close(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    this.queued(-this.queuedBytes);
    await this.drained;
    if (this.started && !this.closed) await endReplication(this.service, this.subscribed, END_COPY_TIMEOUT_MS);
    this.shutdown();
    await this.destroyed;
    await this.cleaned;
  }

  /** Settles when the handler in progress (if any) has finished: the next connection must not overlap it. */
  whenIdle(): Promise<void> {
    return this.drained;
  }

  private enqueue(item: QueueItem): void {
    if (this.closed || this.stopping) return;
    this.queue.push(item);
    if (item.kind === 'data' && item.bytes > 0) this.queued(item.bytes);
    if ((this.queue.length > HIGH_WATER || this.queuedBytes > this.options.budget.queueBytes) && !this.paused) this.setPaused(true);
    if (!this.draining) this.drained = this.drain();
  }

  private heartbeat(lsnText: string, shouldRespond: boolean): void {
    if (this.closed) return;
    // Always safe to answer: this is the last processed position, never merely a seen one.
    if (shouldRespond) this.status.send();
    this.enqueue({ kind: 'idle', lsn: parseLsn(lsnText) });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.closed && !this.stopping && this.queue.length > 0) {
        const item = this.queue.shift() as QueueItem;
        if (item.kind === 'data' && item.bytes > 0) this.queued(-item.bytes);
        if (this.paused && this.queue.length < LOW_WATER && this.queuedBytes <= this.options.budget.queueBytes / 4) this.setPaused(false);
        if (item.kind === 'idle') {
          // Everything before this keep-alive was handled: the server has nothing unsent below its LSN.
          if (!this.router.inTransaction && item.lsn > this.status.handled) this.advance(item.lsn);
          continue;
        }
        if (item.message.tag === 'parse_error') {
          this.end(item.message.error, 'protocol');
          return;
        }
        let committed: CommittedTransaction | undefined;
        try {
          if (item.message.tag === 'raw') {
            // Most messages: no await unless the spool writes to disk.
            const written = this.router.append(item.message);
            if (written) await written;
            continue;
          }
          committed = await this.router.push(item.message);
        } catch (error) {
          // A schema or logical message that does not parse, or a spill file that cannot be written.
          this.end(error, 'protocol');
          return;
        }
        if (!committed) continue;
        if (committed.endLsn <= this.status.handled) {
          await committed.discard();
          continue;
        }
        const ok = await this.events.transaction(committed);
        if (this.closed) return;
        if (!ok) {
          this.shutdown();
          return;
        }
        this.advance(committed.endLsn);
      }
    } finally {
      this.draining = false;
    }
  }

  private queued(delta: number): void {
    this.queuedBytes += delta;
    this.options.budget.gauge.add(delta);
  }

  private advance(lsn: bigint): void {
    this.events.handled(lsn);
    this.status.handle(lsn);
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    setSocketPaused(this.service, paused);
  }

  private end(error: unknown, kind: 'connection' | 'protocol'): void {
    if (this.closed || this.stopping) return;
    this.shutdown();
    this.events.ended(error, kind);
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queued(-this.queuedBytes);
    this.destroyed = this.service.destroy().catch(() => undefined);
    // After the running delivery (if any) settled: it may still read its spill file.
    this.cleaned = this.drained
      .then(() => this.router.reset())
      .then(() => this.spill.remove())
      .catch(() => undefined);
  }
}
