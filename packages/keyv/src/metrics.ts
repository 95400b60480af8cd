import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import {
  ATTR,
  METRICS,
  RESULT,
  SHARED_INSTRUMENTS,
  defineMetrics,
  type CounterSeries,
  type HistogramSeries,
} from '@threadline/core';
import type { OpSpec } from './ops.js';

export const kvMetrics = defineMetrics((collector) => ({
  operations: collector.counter({
    ...METRICS.KV_OPERATIONS,
    labelKeys: [ATTR.DB_SYSTEM_NAME, ATTR.DB_COLLECTION_NAME, ATTR.DB_OPERATION_NAME, ATTR.RESULT],
    optionalLabelKeys: [ATTR.DB_COLLECTION_NAME],
  }),
  // Shared with @threadline/knex: one declaration shape for the one collector.
  duration: collector.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION),
}), { name: PACKAGE_NAME, version: PACKAGE_VERSION });

export type KvMetrics = ReturnType<typeof kvMetrics>;

/** The pre-bound series of one (system, namespace, op): the record path only touches these. */
export class OpSeries {
  readonly duration: HistogramSeries;
  private hitSeries: CounterSeries | undefined;
  private missSeries: CounterSeries | undefined;
  private okSeries: CounterSeries | undefined;
  private errorSeries: CounterSeries | undefined;
  private readonly errorDurations = new Map<string, HistogramSeries>();

  constructor(
    private readonly metrics: KvMetrics,
    private readonly system: string,
    private readonly namespace: string | undefined,
    private readonly op: OpSpec,
  ) {
    this.duration = this.bindDuration(undefined);
  }

  // Counts are bound on first use, so an op never exports results it cannot have (a `set` hit).
  get hit(): CounterSeries {
    return (this.hitSeries ??= this.bindCount(RESULT.HIT));
  }

  get miss(): CounterSeries {
    return (this.missSeries ??= this.bindCount(RESULT.MISS));
  }

  get ok(): CounterSeries {
    return (this.okSeries ??= this.bindCount(RESULT.OK));
  }

  get error(): CounterSeries {
    return (this.errorSeries ??= this.bindCount(RESULT.ERROR));
  }

  private bindCount(result: string): CounterSeries {
    return this.metrics.operations.bind({
      [ATTR.DB_SYSTEM_NAME]: this.system,
      [ATTR.DB_COLLECTION_NAME]: this.namespace,
      [ATTR.DB_OPERATION_NAME]: this.op.name,
      [ATTR.RESULT]: result,
    });
  }

  /** Duration series for a failed call; error types are few, so each is bound once and kept. */
  errorDuration(type: string): HistogramSeries {
    let series = this.errorDurations.get(type);
    if (series === undefined) {
      series = this.bindDuration(type);
      this.errorDurations.set(type, series);
    }
    return series;
  }

  private bindDuration(type: string | undefined): HistogramSeries {
    return this.metrics.duration.bind({
      [ATTR.DB_SYSTEM_NAME]: this.system,
      [ATTR.DB_OPERATION_NAME]: this.op.name,
      [ATTR.DB_COLLECTION_NAME]: this.namespace,
      [ATTR.ERROR_TYPE]: type,
    });
  }
}
