import type { TransactionOutcome } from './semconv.js';

/** One query as knex reported it, before any telemetry decision. */
export interface QueryEvent<TX> {
  readonly sql: string;
  readonly bindings: readonly unknown[] | undefined;
  readonly method: string | undefined;
  readonly collection: string | undefined;
  readonly transactionId: string | undefined;
  /** The open transaction this query belongs to, when knex says so. */
  readonly transaction: TX | undefined;
  /** Milliseconds of the knex `.timeout()` the query carried. */
  readonly timeout: number | undefined;
}

/** Pool occupancy read from knex's tarn pool. */
export interface PoolSnapshot {
  readonly used: number;
  readonly idle: number;
  readonly pending: number;
  readonly max: number;
  /** tarn's `min`: connections it keeps open even when idle. */
  readonly min: number;
}

/** Pool durations tarn's events bound (semconv db.client.connection.wait_time / use_time / create_time). */
export const POOL_TIMING = { WAIT: 0, USE: 1, CREATE: 2 } as const;
export type PoolTiming = (typeof POOL_TIMING)[keyof typeof POOL_TIMING];

/**
 * What the knex hook reports, as plain calls. The hook knows knex and nothing of OTel; the
 * telemetry side implements this and knows little of knex. Q and TX are the implementer's handles.
 */
export interface KnexHandler<Q, TX> {
  /** False while the owning instrumentation is disabled: the hook then does nothing. */
  readonly enabled: boolean;
  queryStarted(event: QueryEvent<TX>): Q | undefined;
  queryEnded(query: Q, response: unknown): void;
  queryFailed(query: Q, error: unknown): void;
  /** The connection went back to the pool with no response or error seen (timeouts). */
  queryAbandoned(query: Q): void;
  /** No connection could be acquired (connection refused, pool timeout): no query event follows. */
  acquireFailed(error: unknown): void;
  /** `outer` is the enclosing transaction of a savepoint. */
  transactionStarted(transactionId: string, outer: TX | undefined): TX | undefined;
  /** Runs the user's transaction body with the transaction as the active parent. */
  inTransaction<T>(tx: TX, fn: () => T): T;
  transactionStatement(tx: TX, outcome: TransactionOutcome): void;
  transactionEnded(tx: TX, error: unknown, failed: boolean): void;
  /** W3C traceparent of the query's span, for the SQL commenter; undefined without a span. */
  traceparent(query: Q): string | undefined;
  poolChanged(pool: PoolSnapshot): void;
  /** A wait for, use of, or creation of a pooled connection ended after `seconds`. */
  poolTimed(timing: PoolTiming, seconds: number): void;
  /** The server identified itself (MariaDB behind the mysql / mysql2 client). */
  serverSystem(system: string): void;
  /** An internal fault of ours: the implementer reports it and turns itself off. */
  fault(error: unknown): void;
}
