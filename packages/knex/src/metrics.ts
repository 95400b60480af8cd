import { ATTR, METRICS, RESULT, SHARED_INSTRUMENTS, defineMetrics, type CounterSeries, type GaugeSeries, type HistogramSeries } from '@threadline/core';

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
}));

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

/** Caches bound series per label set for one knex instance; a new collector empties it. */
export class SeriesCache {
  private metrics: KnexMetrics | undefined;
  // operation → collection → series; the system is fixed per instance (a change empties the cache).
  private readonly ok = new Map<string | undefined, Map<string | undefined, OkSeries>>();
  private okSystem: string | undefined;
  private readonly pools = new Map<string, PoolSeries>();

  current(): KnexMetrics {
    const metrics = knexMetrics();
    if (metrics !== this.metrics) {
      this.metrics = metrics;
      this.ok.clear();
      this.pools.clear();
    }
    return metrics;
  }

  okSeries(system: string, operation: string | undefined, collection: string | undefined): OkSeries {
    const metrics = this.current();
    if (system !== this.okSystem) {
      this.ok.clear();
      this.okSystem = system;
    }
    let byCollection = this.ok.get(operation);
    if (!byCollection) this.ok.set(operation, (byCollection = new Map()));
    let series = byCollection.get(collection);
    if (!series) {
      const labels = { [ATTR.DB_SYSTEM_NAME]: system, [ATTR.DB_OPERATION_NAME]: operation, [ATTR.DB_COLLECTION_NAME]: collection };
      series = {
        duration: metrics.duration.bind(labels),
        count: metrics.operations.bind({ ...labels, [ATTR.RESULT]: RESULT.OK }),
      };
      byCollection.set(collection, series);
    }
    return series;
  }

  recordError(system: string, operation: string | undefined, collection: string | undefined, errorType: string, seconds: number): void {
    const metrics = this.current();
    const labels = { [ATTR.DB_SYSTEM_NAME]: system, [ATTR.DB_OPERATION_NAME]: operation, [ATTR.DB_COLLECTION_NAME]: collection };
    metrics.duration.bind({ ...labels, [ATTR.ERROR_TYPE]: errorType }).record(seconds);
    metrics.operations.bind({ ...labels, [ATTR.RESULT]: RESULT.ERROR }).add(1);
  }

  poolSeries(poolName: string): PoolSeries {
    const metrics = this.current();
    let series = this.pools.get(poolName);
    if (!series) {
      const pool = { [ATTR.DB_CLIENT_CONNECTION_POOL_NAME]: poolName };
      series = {
        used: metrics.connections.bind({ ...pool, [ATTR.DB_CLIENT_CONNECTION_STATE]: 'used' }),
        idle: metrics.connections.bind({ ...pool, [ATTR.DB_CLIENT_CONNECTION_STATE]: 'idle' }),
        pending: metrics.pending.bind(pool),
        max: metrics.max.bind(pool),
      };
      this.pools.set(poolName, series);
    }
    return series;
  }
}
