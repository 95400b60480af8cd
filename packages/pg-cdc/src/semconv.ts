import type { MetricName } from '@threadline/core';

/** CDC span attributes @threadline/core's naming table does not hold yet (no OTel convention for CDC exists). */
export const CDC_ATTR = {
  TABLES: 'cdc.tables',
  OPERATIONS: 'cdc.operations',
  CHANGE_COUNT: 'cdc.change_count',
  LSN: 'cdc.lsn',
  COMMIT_LSN_END: 'cdc.commit_end_lsn',
  COMMIT_TIME: 'cdc.commit_time',
  XID: 'cdc.xid',
  ATTEMPT: 'cdc.attempt',
} as const;

/** Debezium-style total not in core's METRICS (NumberOfCommittedTransactions, split by result). */
export const CDC_TRANSACTIONS: MetricName = Object.freeze({
  name: 'cdc.transactions',
  unit: '{transaction}',
  description: 'Transactions handed to the CDC handler, by result (ok | error)',
});

/** `messaging.system` value for the CDC consumer span. */
export const MESSAGING_SYSTEM_POSTGRES_CDC = 'postgresql';

/** Default pg_logical_emit_message prefix carrying the writer's trace context. */
export const DEFAULT_TRACE_PREFIX = 'threadline.trace';

export const INSTRUMENTATION_NAME = '@threadline/pg-cdc';
// Stamped from package.json by the build (tsup `define`); `dev` when running from sources (tests).
declare const __THREADLINE_PACKAGE_VERSION__: string | undefined;
export const INSTRUMENTATION_VERSION = typeof __THREADLINE_PACKAGE_VERSION__ === 'string' ? __THREADLINE_PACKAGE_VERSION__ : 'dev';
