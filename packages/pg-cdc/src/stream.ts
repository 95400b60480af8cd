import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { ClientConfig } from 'pg';
import { formatLsn, parseLsn } from './lsn.js';
import { TransactionAssembler, type AssembledTransaction, type PgoutputMessage } from './transaction.js';

/** What one replication connection reports to the consumer. Knows the library, nothing of OTel. */
export interface StreamEvents {
  /** Runs the handler; resolves true when it succeeded (the stream then acknowledges), false to end the stream. */
  transaction(assembled: AssembledTransaction): Promise<boolean>;
  /** The server confirmed flushed positions up to `lsn` (a processed transaction or an idle keep-alive). */
  acknowledged(lsn: bigint): void;
  /** The connection ended without close(): lost, terminated, refused, or undecodable data. */
  ended(error: unknown, kind: 'connection' | 'protocol'): void;
}

export interface StreamOptions {
  readonly connection: ClientConfig;
  readonly slot: string;
  readonly publications: readonly string[];
  readonly tracePrefix: string;
  /** Where streaming resumes: the slot's confirmed_flush_lsn, or later when this process already handled more. */
  readonly confirmed: bigint;
}

type QueueItem = { kind: 'data'; message: PgoutputMessage } | { kind: 'idle'; lsn: bigint };

/** pgoutput parse failures become a message instead of an exception thrown inside pg's socket parser. */
class GuardedPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): ReturnType<PgoutputPlugin['parse']> {
    try {
      return super.parse(buffer);
    } catch (error) {
      return { tag: 'parse_error', error } as never;
    }
  }
}

// Pause the socket above this many undelivered messages; resume once the handler drained it below LOW_WATER.
const HIGH_WATER = 512;
const LOW_WATER = 64;

/**
 * One replication connection: pgoutput v2 with logical messages, acknowledgements only for
 * processed transactions. The library's own keep-alive timer is off (timeoutSeconds 0): it would
 * confirm the last *seen* LSN (upstream issue #22). Keep-alives are answered with the last
 * *processed* position, and an idle keep-alive advances it only when nothing is pending before it.
 */
export class ReplicationStream {
  private readonly service: LogicalReplicationService;
  private readonly assembler: TransactionAssembler;
  private readonly queue: QueueItem[] = [];
  private confirmed: bigint;
  private started = false;
  private stopping = false;
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private paused = false;
  private closed = false;

  constructor(
    private readonly options: StreamOptions,
    private readonly events: StreamEvents,
  ) {
    this.confirmed = options.confirmed;
    this.assembler = new TransactionAssembler(options.tracePrefix);
    this.service = new LogicalReplicationService(options.connection, { acknowledge: { auto: false, timeoutSeconds: 0 } });
    this.service.on('data', (_lsn: string, message: PgoutputMessage) => this.enqueue({ kind: 'data', message }));
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
        // Re-confirms the resume position at once, in case it is ahead of the slot (acknowledgements lost with a connection).
        this.sendStatus(this.confirmed);
        resolve();
      });
      const plugin = new GuardedPgoutputPlugin({ protoVersion: 2, publicationNames: [...this.options.publications], messages: true });
      const failed = (error: unknown) => {
        if (this.started) this.end(error, 'connection');
        else {
          this.shutdown();
          reject(error);
        }
      };
      // The explicit start LSN matters: the library would otherwise resume from the last LSN it *saw*.
      this.service
        .subscribe(plugin, this.options.slot, formatLsn(this.options.confirmed))
        .then(() => failed(new Error('replication stream ended by the server')), failed);
    });
  }

  /**
   * Stops streaming: the handler already running finishes and is acknowledged, nothing queued
   * after it is delivered (it stays in the slot for the next connection).
   */
  async close(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    await this.drained;
    this.shutdown();
  }

  /** Settles when the handler in progress (if any) has finished: the next connection must not overlap it. */
  whenIdle(): Promise<void> {
    return this.drained;
  }

  private enqueue(item: QueueItem): void {
    if (this.closed || this.stopping) return;
    this.queue.push(item);
    if (this.queue.length > HIGH_WATER && !this.paused) this.setPaused(true);
    if (!this.draining) this.drained = this.drain();
  }

  private heartbeat(lsnText: string, shouldRespond: boolean): void {
    if (this.closed) return;
    // Always safe to answer: this is the last processed position, never merely a seen one.
    if (shouldRespond) this.sendStatus(this.confirmed);
    this.enqueue({ kind: 'idle', lsn: parseLsn(lsnText) });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.closed && !this.stopping && this.queue.length > 0) {
        const item = this.queue.shift() as QueueItem;
        if (this.paused && this.queue.length < LOW_WATER) this.setPaused(false);
        if (item.kind === 'idle') {
          // Everything before this keep-alive was handled: the server has nothing unsent below its LSN.
          if (!this.assembler.inTransaction && item.lsn > this.confirmed) this.advance(item.lsn);
          continue;
        }
        if ((item.message as { tag: string }).tag === 'parse_error') {
          this.end((item.message as unknown as { error: unknown }).error, 'protocol');
          return;
        }
        const assembled = this.assembler.push(item.message);
        if (!assembled) continue;
        if (assembled.endLsn <= this.confirmed) continue;
        const ok = await this.events.transaction(assembled);
        if (this.closed) return;
        if (!ok) {
          this.shutdown();
          return;
        }
        this.advance(assembled.endLsn);
      }
    } finally {
      this.draining = false;
    }
  }

  private advance(lsn: bigint): void {
    this.confirmed = lsn;
    if (this.sendStatus(lsn)) this.events.acknowledged(lsn);
  }

  /** Standby status update with write = flush = apply = `lsn` (the library adds 1 to what it is given). */
  private sendStatus(lsn: bigint): boolean {
    if (this.closed || lsn <= 0n) return false;
    try {
      void this.service.acknowledge(formatLsn(lsn - 1n)).catch(() => undefined);
      return true;
    } catch {
      return false;
    }
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    // The library exposes no pause; its own flowControl reaches the same socket the same way.
    const stream = (this.service as unknown as { _connection?: { stream?: { pause?(): void; resume?(): void } } })._connection?.stream;
    if (paused) stream?.pause?.();
    else stream?.resume?.();
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
    this.assembler.reset();
    void this.service.destroy().catch(() => undefined);
  }
}
