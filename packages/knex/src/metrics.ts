import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { ATTR, METRICS, RESULT, SHARED_INSTRUMENTS, defineMetrics, type CounterSeries, type GaugeSeries, type HistogramSeries } from '@threadline/core';
import type { QueryShape } from './query-shapes.js';

export const knexMetrics = defineMetrics((collector) => ({
  // Shared with @threadline/keyv: one declaration shape for the one collector.
  duration: collector.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION),
  operations: collector.counter({
    ...METRICS.DB_CLIENT_OPERATIONS,
    labelKeys: [ATTR.DB_SYSTEM_NAME, ATTR.DB_OPERATION_NAME, ATTR.DB_COLLECTION_NAME, ATTR.RESULT],
    optionalLabelKeys: [ATTR.DB_OPERATION_NAME, ATTR.DB_COLLECTION_NAME],
  }),
  connections: collector.gauge({
    ...METRICS.DB_CLIENT_CONNECTION_COUNT,
    labelKeys: [ATTR.DB_CLIENT_CONNECTION_POOL_NAME, ATTR.DB_CLIENT_CONNECTION_STATE],
  }),
  pending: collector.gauge({ ...METRICS.DB_CLIENT_CONNECTION_PENDING_REQUESTS, labelKeys: [ATTR.DB_CLIENT_CONNECTION_POOL_NAME] }),
  max: collector.gauge({ ...METRICS.DB_CLIENT_CONNECTION_MAX, labelKeys: [ATTR.DB_CLIENT_CONNECTION_POOL_NAME] }),
}), { name: PACKAGE_NAME, version: PACKAGE_VERSION });

export type KnexMetrics = ReturnType<typeof knexMetrics>;

/** The success series of one (system, operation, collection), bound once and reused. */
export interface OkSeries {
  readonly duration: HistogramSeries;
  readonly count: CounterSeries;
}

export interface PoolSeries {
  readonly used: GaugeSeries;
  readonly idle: GaugeSeries;
  readonly pending: GaugeSeries;
  readonly max: GaugeSeries;
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
      duration: metrics.duration.bind(labels),
      count: metrics.operations.bind({ ...labels, [ATTR.RESULT]: RESULT.OK }),
    };
    shape.series = series;
    shape.seriesOwner = metrics;
    return series;
  }

  recordError(system: string, operation: string | undefined, collection: string | undefined, errorType: string, seconds: number): void {
    const metrics = knexMetrics();
    const labels = { [ATTR.DB_SYSTEM_NAME]: system, [ATTR.DB_OPERATION_NAME]: operation, [ATTR.DB_COLLECTION_NAME]: collection };
    metrics.duration.bind({ ...labels, [ATTR.ERROR_TYPE]: errorType }).record(seconds);
    metrics.operations.bind({ ...labels, [ATTR.RESULT]: RESULT.ERROR }).add(1);
  }

  /** One pool per knex instance: its series are bound once per collector. */
  poolSeries(poolName: string): PoolSeries {
    const metrics = knexMetrics();
    if (this.pool?.metrics === metrics) return this.pool.series;
    const pool = { [ATTR.DB_CLIENT_CONNECTION_POOL_NAME]: poolName };
    const series = {
      used: metrics.connections.bind({ ...pool, [ATTR.DB_CLIENT_CONNECTION_STATE]: 'used' }),
      idle: metrics.connections.bind({ ...pool, [ATTR.DB_CLIENT_CONNECTION_STATE]: 'idle' }),
      pending: metrics.pending.bind(pool),
      max: metrics.max.bind(pool),
    };
    this.pool = { metrics, series };
    return series;
  }
}
