import type { Span } from '@opentelemetry/api';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import {
  ATTR,
  DB_SECONDS_BUCKETS,
  METRICS,
  RESULT,
  SHARED_INSTRUMENTS,
  defineMetrics,
  type CounterSeries,
  type HistogramSeries,
  type UpDownCounterSeries,
} from '@threadline/core';
import type { QueryShape } from './query-shapes.js';

const POOL = [ATTR.DB_CLIENT_CONNECTION_POOL_NAME] as const;

export const knexMetrics = defineMetrics((collector) => ({
  // Shared with @threadline/keyv: one declaration shape for the one collector.
  duration: collector.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION),
  operations: collector.counter({
    ...METRICS.DB_CLIENT_OPERATIONS,
    labelKeys: [ATTR.DB_SYSTEM_NAME, ATTR.DB_OPERATION_NAME, ATTR.DB_COLLECTION_NAME, ATTR.RESULT],
    optionalLabelKeys: [ATTR.DB_OPERATION_NAME, ATTR.DB_COLLECTION_NAME],
  }),
  connections: collector.upDownCounter({ ...METRICS.DB_CLIENT_CONNECTION_COUNT, labelKeys: [...POOL, ATTR.DB_CLIENT_CONNECTION_STATE] }),
  pending: collector.upDownCounter({ ...METRICS.DB_CLIENT_CONNECTION_PENDING_REQUESTS, labelKeys: POOL }),
  limit: collector.upDownCounter({ ...METRICS.DB_CLIENT_CONNECTION_LIMIT, labelKeys: POOL }),
  timeouts: collector.counter({ ...METRICS.DB_CLIENT_CONNECTION_TIMEOUTS, labelKeys: POOL }),
  // Pool waits and connects are ms-scale, like queries: the same advice boundaries as the query duration.
  waitTime: collector.histogram({ ...METRICS.DB_CLIENT_CONNECTION_WAIT_TIME, labelKeys: POOL, boundaries: DB_SECONDS_BUCKETS }),
  useTime: collector.histogram({ ...METRICS.DB_CLIENT_CONNECTION_USE_TIME, labelKeys: POOL, boundaries: DB_SECONDS_BUCKETS }),
  createTime: collector.histogram({ ...METRICS.DB_CLIENT_CONNECTION_CREATE_TIME, labelKeys: POOL, boundaries: DB_SECONDS_BUCKETS }),
  idleMax: collector.upDownCounter({ ...METRICS.DB_CLIENT_CONNECTION_IDLE_MAX, labelKeys: POOL }),
  idleMin: collector.upDownCounter({ ...METRICS.DB_CLIENT_CONNECTION_IDLE_MIN, labelKeys: POOL }),
}), { name: PACKAGE_NAME, version: PACKAGE_VERSION });

export type KnexMetrics = ReturnType<typeof knexMetrics>;

/** The success series of one (system, operation, collection), bound once and reused. */
export interface OkSeries {
  readonly duration: HistogramSeries;
  readonly count: CounterSeries;
}

/**
 * An up-down counter fed absolute pool samples: it adds the change since the last sample, so
 * the sum always equals the pool's state (semconv makes the pool metrics UpDownCounters).
 */
export class PoolLevel {
  private last = 0;

  constructor(private readonly series: UpDownCounterSeries) {}

  set(value: number): void {
    if (value === this.last) return;
    this.series.add(value - this.last);
    this.last = value;
  }
}

export interface PoolSeries {
  readonly used: PoolLevel;
  readonly idle: PoolLevel;
  readonly pending: PoolLevel;
  readonly limit: PoolLevel;
  readonly idleMax: PoolLevel;
  readonly idleMin: PoolLevel;
  readonly timeouts: CounterSeries;
  /** Indexed by PoolTiming: one bound series each, so a timing records without allocating. */
  readonly timings: readonly [HistogramSeries, HistogramSeries, HistogramSeries];
}

/** Binds the series one knex instance records into; a new collector rebinds them. */
export class SeriesCache {
  private pool: { readonly metrics: KnexMetrics; readonly series: PoolSeries } | undefined;

  /** The shape's success series, bound on first use and kept on the shape while the collector stays. */
  okSeries(shape: QueryShape): OkSeries {
    const metrics = knexMetrics();
    if (shape.seriesOwner === metrics && shape.series !== undefined) return shape.series;
    const labels = { [ATTR.DB_SYSTEM_NAME]: shape.system, [ATTR.DB_OPERATION_NAME]: shape.operation, [ATTR.DB_COLLECTION_NAME]: shape.collection };
    const series = {
      duration: metrics.duration.bind(shape.metricLabels),
      count: metrics.operations.bind({ ...labels, [ATTR.RESULT]: RESULT.OK }),
    };
    shape.series = series;
    shape.seriesOwner = metrics;
    return series;
  }

  recordError(shape: QueryShape, errorType: string, statusCode: string | undefined, seconds: number, span: Span | undefined): void {
    const metrics = knexMetrics();
    metrics.duration.bind({ ...shape.metricLabels, [ATTR.ERROR_TYPE]: errorType, [ATTR.DB_RESPONSE_STATUS_CODE]: statusCode }).record(seconds, span);
    const labels = { [ATTR.DB_SYSTEM_NAME]: shape.system, [ATTR.DB_OPERATION_NAME]: shape.operation, [ATTR.DB_COLLECTION_NAME]: shape.collection };
    metrics.operations.bind({ ...labels, [ATTR.RESULT]: RESULT.ERROR }).add(1);
  }

  /** A connection could not be acquired: an error with no operation behind it. */
  recordAcquireError(system: string): void {
    knexMetrics().operations.bind({ [ATTR.DB_SYSTEM_NAME]: system, [ATTR.RESULT]: RESULT.ERROR }).add(1);
  }

  /** One pool per knex instance: its series are bound once per collector. */
  poolSeries(poolName: string): PoolSeries {
    const metrics = knexMetrics();
    if (this.pool?.metrics === metrics) return this.pool.series;
    const pool = { [ATTR.DB_CLIENT_CONNECTION_POOL_NAME]: poolName };
    const series = {
      used: new PoolLevel(metrics.connections.bind({ ...pool, [ATTR.DB_CLIENT_CONNECTION_STATE]: 'used' })),
      idle: new PoolLevel(metrics.connections.bind({ ...pool, [ATTR.DB_CLIENT_CONNECTION_STATE]: 'idle' })),
      pending: new PoolLevel(metrics.pending.bind(pool)),
      limit: new PoolLevel(metrics.limit.bind(pool)),
      idleMax: new PoolLevel(metrics.idleMax.bind(pool)),
      idleMin: new PoolLevel(metrics.idleMin.bind(pool)),
      timeouts: metrics.timeouts.bind(pool),
      timings: [metrics.waitTime.bind(pool), metrics.useTime.bind(pool), metrics.createTime.bind(pool)] as const,
    };
    this.pool = { metrics, series };
    return series;
  }
}
