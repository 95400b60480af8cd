/**
 * Bound series: the hot path of every plugin. A record call touches only numbers already on the
 * object: no allocation, no hashing, no lookup.
 */

import type { Span } from '@opentelemetry/api';
import { ExemplarSlots, type Exemplar } from './exemplars.js';

export type LabelValues = Readonly<Record<string, string>>;

abstract class SeriesBase {
  constructor(
    readonly labels: LabelValues,
    readonly startTimeMs: number,
  ) {}
}

export class CounterSeries extends SeriesBase {
  value = 0;
  /** Monotonic: negative and non-finite increments are ignored rather than thrown. */
  add(increment = 1): void {
    if (increment >= 0 && increment !== Infinity) this.value += increment;
  }
}

export class UpDownCounterSeries extends SeriesBase {
  value = 0;
  add(delta = 1): void {
    if (Number.isFinite(delta)) this.value += delta;
  }
}

export class GaugeSeries extends SeriesBase {
  value = 0;
  hasValue = false;
  set(value: number): void {
    if (Number.isFinite(value)) {
      this.value = value;
      this.hasValue = true;
    }
  }
}

export class HistogramSeries extends SeriesBase {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly exemplarSlots: ExemplarSlots | undefined;

  constructor(
    labels: LabelValues,
    startTimeMs: number,
    readonly boundaries: readonly number[],
    exemplars = true,
  ) {
    super(labels, startTimeMs);
    this.counts = new Float64Array(boundaries.length + 1);
    this.exemplarSlots = exemplars ? new ExemplarSlots(boundaries.length + 1) : undefined;
  }

  /** The latest exemplar per bucket (values recorded while a sampled span was active). */
  exemplars(): Exemplar[] {
    return this.exemplarSlots?.list() ?? [];
  }

  /**
   * Counts `value`. When `span` (the operation's own span) is given and sampled, the value may be
   * kept as its bucket's exemplar. No span, no lookup: the record path pays nothing for exemplars.
   */
  record(value: number, span?: Pick<Span, 'spanContext'>): void {
    if (!Number.isFinite(value)) return;
    const boundaries = this.boundaries;
    let bucket = 0;
    // Linear scan: boundaries are short (≤ 16) and this beats a binary search at that size.
    while (bucket < boundaries.length && value > (boundaries[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (span !== undefined) this.exemplarSlots?.offer(bucket, value, span);
  }
}

export type AnySeries = CounterSeries | UpDownCounterSeries | GaugeSeries | HistogramSeries;
