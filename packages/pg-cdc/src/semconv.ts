import { METRICS, type MetricName } from '@threadline/core';

/**
 * CDC span attributes beyond core's `ATTR` (no OTel convention for CDC exists); @threadline/core's
 * registry (`PG_CDC_NAMES`) lists every name pg-cdc emits.
 */
export const CDC_ATTR = {
  TABLES: 'threadline.cdc.tables',
  OPERATIONS: 'threadline.cdc.operations',
  CHANGE_COUNT: 'threadline.cdc.change_count',
  LSN: 'threadline.cdc.lsn',
  COMMIT_LSN_END: 'threadline.cdc.commit_end_lsn',
  COMMIT_TIME: 'threadline.cdc.commit_time',
  XID: 'threadline.cdc.xid',
  ATTEMPT: 'threadline.cdc.attempt',
  CHUNK_INDEX: 'threadline.cdc.chunk_index',
  CHUNK_COUNT: 'threadline.cdc.chunk_count',
} as const;

/** Transaction bytes held in memory; the same entry as the registry's (core's METRICS has no pg-cdc-only names). */
export const CDC_BUFFERED_BYTES: MetricName = Object.freeze({
  name: 'threadline.cdc.buffered_bytes',
  unit: 'By',
  instrument: 'gauge',
  description: 'Bytes of transaction data the CDC consumer holds in memory (queued messages, unspilled spool, the chunk in delivery); bounded by maxBufferedBytes',
});

/** Debezium-style total (NumberOfCommittedTransactions, split by result). */
export const CDC_TRANSACTIONS: MetricName = METRICS.CDC_TRANSACTIONS;

/**
 * `messaging.system.name` of the CDC consumer span: semconv lists no value for a database's change
 * stream, and `postgresql` is a `db.system.name` value, not a messaging system.
 */
export const MESSAGING_SYSTEM_POSTGRES_CDC = 'postgresql.logical_replication';

/** Default pg_logical_emit_message prefix carrying the writer's trace context. */
export const DEFAULT_TRACE_PREFIX = 'threadline.trace';

export const INSTRUMENTATION_NAME = '@threadline/pg-cdc';
// Stamped from package.json by the build (tsup `define`); `dev` when running from sources (tests).
declare const __THREADLINE_PACKAGE_VERSION__: string | undefined;
export const INSTRUMENTATION_VERSION = typeof __THREADLINE_PACKAGE_VERSION__ === 'string' ? __THREADLINE_PACKAGE_VERSION__ : 'dev';
