import type { TracerProvider } from '@opentelemetry/api';
import type { ErrorMessageOptions } from '@threadline/core';
import type { ClientConfig } from 'pg';

export type CdcOperation = 'insert' | 'update' | 'delete' | 'truncate';

/** One row change (or one truncated table) inside a committed transaction. */
export interface CdcChange {
  readonly op: CdcOperation;
  readonly schema: string;
  readonly table: string;
  /** New row for insert / update (null for delete / truncate). */
  readonly new: Record<string, unknown> | null;
  /** Old row (REPLICA IDENTITY FULL) for update / delete, else null. */
  readonly old: Record<string, unknown> | null;
  /** Key columns of the old row (default replica identity) for update / delete, else null. */
  readonly key: Record<string, unknown> | null;
}

/** A logical message (`pg_logical_emit_message(true, prefix, content)`) written inside the transaction. */
export interface CdcMessage {
  readonly prefix: string;
  readonly content: Uint8Array;
}

/** One committed transaction as delivered by pgoutput. */
export interface CdcTransaction {
  readonly xid: number;
  /** LSN of the commit record. */
  readonly lsn: string;
  /** LSN just past the commit record: the position acknowledged once the handler resolved. */
  readonly endLsn: string;
  readonly commitTime: Date;
  readonly changes: readonly CdcChange[];
  /** Logical messages other than threadline's trace carrier. */
  readonly messages: readonly CdcMessage[];
  /** 1 on first delivery; n after n-1 failed handler runs of this transaction in this process. */
  readonly attempt: number;
  /**
   * Set only for a transaction larger than `maxBufferedBytes`, delivered in chunks: `changes` and
   * `messages` are then this chunk's, in commit order; `last` marks the final chunk. The
   * transaction is acknowledged after its last chunk was handled.
   */
  readonly chunk?: CdcChunk;
}

/** Where a chunk sits in a transaction delivered in chunks. */
export interface CdcChunk {
  /** From 0, in order. */
  readonly index: number;
  readonly last: boolean;
}

export type TransactionHandler = (transaction: CdcTransaction) => unknown;
export type ChangeHandler = (change: CdcChange, transaction: CdcTransaction) => unknown;

export interface ReconnectOptions {
  /** First delay after a lost connection or failed handler, ms. Default 100. */
  readonly initialDelayMs?: number;
  /** Upper bound of the exponential backoff, ms. Default 10 000. */
  readonly maxDelayMs?: number;
}

/**
 * `recordErrorMessages` (default true): a failed handler's `process` span carries the error's
 * message and stack; `false` keeps only `error.type` and the exception's type (handlers see row
 * values, and their errors often quote them).
 */
interface CdcConsumerBaseOptions extends ErrorMessageOptions {
  /** pg ClientConfig (or connection string) of the database; a replication connection is opened from it. */
  readonly connection: ClientConfig | string;
  /** Logical replication slot using the pgoutput plugin. */
  readonly slot: string;
  /** Publications to stream (pgoutput `publication_names`). */
  readonly publications: readonly string[];
  /** Create the slot (pgoutput) when it does not exist. Default false. */
  readonly createSlot?: boolean;
  /** Writer trace context continues as the span's parent (default) or, with true, as a link of a new root span. */
  readonly link?: boolean;
  /** Logical-message prefix carrying the writer's trace context. Default 'threadline.trace'. */
  readonly tracePrefix?: string;
  /**
   * How often pg_replication_slots is polled for the retained-WAL and lag-bytes gauges, ms.
   * Default 10 000; 0 turns polling off (call `pollSlot()` yourself).
   */
  readonly slotPollIntervalMs?: number;
  readonly reconnect?: ReconnectOptions;
  /** Sees every error the consumer recovers from (lost connection, handler failure); must not throw. */
  readonly onError?: (error: unknown, kind: CdcErrorKind) => void;
  /**
   * Poison transactions: after this many failed handler runs of one transaction in this process,
   * `onDeadLetter` gets it and, once that resolves, the slot moves past it. Needs `onDeadLetter`.
   * Default: retry for ever (the slot holds WAL until the handler succeeds).
   */
  readonly maxAttempts?: number;
  /**
   * Receives a transaction that failed `maxAttempts` times, with the last error: park it somewhere
   * (a table, a queue, a log). If it throws, the transaction is retried as before.
   */
  readonly onDeadLetter?: (transaction: CdcTransaction, error: unknown) => unknown;
  /**
   * Called once a status update carried an LSN to the server (after the handler for it resolved);
   * one the replication library dropped is reported when the next connection sends it. Strictly increasing.
   */
  readonly onAcknowledge?: (lsn: string) => void;
  /**
   * Bound on the transaction data the consumer holds in memory, bytes (pgoutput wire size; at
   * least 256 KiB). Turns pgoutput streaming on (and sets the replication session's
   * `logical_decoding_work_mem` to a quarter of it), spills a transaction that does not fit to
   * `spillDirectory`, and hands a transaction larger than half of it to the handler in chunks
   * (`transaction.chunk`). Default: unbounded, every transaction buffered whole.
   */
  readonly maxBufferedBytes?: number;
  /** Directory for spill files (row data, mode 0600, removed once delivered or aborted). Default `os.tmpdir()`. */
  readonly spillDirectory?: string;
  /** Tracer provider; the global one by default. */
  readonly tracerProvider?: TracerProvider;
}

export interface TransactionModeOptions extends CdcConsumerBaseOptions {
  /** One span and one handler call per transaction (default). */
  readonly mode?: 'transaction';
  readonly handler: TransactionHandler;
}

export interface ChangeModeOptions extends CdcConsumerBaseOptions {
  /** One span and one handler call per row change; the transaction is acknowledged after its last change. */
  readonly mode: 'change';
  readonly handler: ChangeHandler;
}

export type CdcConsumerOptions = TransactionModeOptions | ChangeModeOptions;

/**
 * `cdc.errors` kinds: handler threw, stream connection lost or refused, slot polling failed,
 * undecodable data or a spill file that cannot be written or read, a transaction handed to `onDeadLetter`.
 */
export type CdcErrorKind = 'handler' | 'connection' | 'monitor' | 'protocol' | 'dead_letter';
