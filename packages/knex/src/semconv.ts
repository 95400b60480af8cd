/**
 * Knex names beyond core's `ATTR`; @threadline/core's registry (`KNEX_NAMES`) lists every name knex emits.
 */
export const KNEX_ATTR = {
  /** `commit` or `rollback`: how a transaction ended (no semconv name exists). */
  TRANSACTION_OUTCOME: 'threadline.db.transaction.outcome',
} as const;

export const TRANSACTION_OUTCOME = { COMMIT: 'commit', ROLLBACK: 'rollback' } as const;
export type TransactionOutcome = (typeof TRANSACTION_OUTCOME)[keyof typeof TRANSACTION_OUTCOME];

/** Span name of a transaction's parent span (semconv has no transaction span). */
export const TRANSACTION_SPAN_NAME = 'TRANSACTION';

/** `db.system.name` values from the stable DB semconv. */
export const DB_SYSTEM = {
  POSTGRESQL: 'postgresql',
  MYSQL: 'mysql',
  MARIADB: 'mariadb',
  SQLITE: 'sqlite',
  MSSQL: 'microsoft.sql_server',
  ORACLE: 'oracle.db',
  OTHER: 'other_sql',
} as const;
