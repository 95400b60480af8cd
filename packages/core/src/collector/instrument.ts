import { LABEL } from '../names.js';
import {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  UpDownCounterSeries,
  type AnySeries,
  type LabelValues,
} from './series.js';

export type InstrumentKind = 'counter' | 'updowncounter' | 'gauge' | 'histogram';

export interface InstrumentSpec<K extends string = string> {
  readonly name: string;
  readonly unit?: string;
  readonly description?: string;
  readonly labelKeys: readonly K[];
  /**
   * Keys left out of a series' exported labels when missing (semconv conditional attributes such
   * as `error.type`, absent on success) instead of carrying the `_missing` placeholder.
   */
  readonly optionalLabelKeys?: readonly K[];
  /** Histograms only; defaults to the semconv advice for the unit. */
  readonly boundaries?: readonly number[];
  /** The instrumentation scope exported with this metric (the declaring plugin); default @threadline/core. */
  readonly scope?: InstrumentationScopeLike;
}

export interface InstrumentationScopeLike {
  readonly name: string;
  readonly version?: string;
}

/** Label input: any value is accepted and coerced; missing keys get a placeholder. */
export type LabelInput<K extends string> = { readonly [P in K]?: unknown };

const MAX_LABEL_LENGTH = 256;

/** Coerces one label value to a bounded string; never throws. */
export function normalizeLabelValue(value: unknown): string {
  if (typeof value === 'string') return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
  if (value === undefined || value === null || value === '') return LABEL.MISSING;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    const text = String(value);
    return text.length > MAX_LABEL_LENGTH ? text.slice(0, MAX_LABEL_LENGTH) : text;
  } catch {
    return LABEL.INVALID;
  }
}

interface SeriesFactory<S extends AnySeries> {
  (labels: LabelValues, startTimeMs: number): S;
}

export interface InstrumentHost {
  readonly maxSeriesPerInstrument: number;
  now(): number;
  onOverflow(instrumentName: string): void;
}

/** One declared metric: owns its series, folds overflow into `_other`. */
export class Instrument<K extends string, S extends AnySeries> {
  private readonly byKey = new Map<string, S>();
  private overflowSeries: S | undefined;

  constructor(
    readonly kind: InstrumentKind,
    readonly spec: Required<Omit<InstrumentSpec<K>, 'boundaries' | 'scope'>> & { boundaries?: readonly number[]; scope?: InstrumentationScopeLike },
    private readonly host: InstrumentHost,
    private readonly create: SeriesFactory<S>,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Returns the series for these labels; keep the handle, its record call is allocation-free. */
  bind(labels: LabelInput<K> = {}): S {
    const keys = this.spec.labelKeys;
    let key = '';
    const values: string[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const value = normalizeLabelValue(safeGet(labels, keys[i] as K));
      values[i] = value;
      key += i === 0 ? value : '\u0001' + value;
    }
    const existing = this.byKey.get(key);
    if (existing) return existing;
    if (this.byKey.size >= this.host.maxSeriesPerInstrument) return this.overflow();
    const record: Record<string, string> = {};
    const optional = this.spec.optionalLabelKeys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as K;
      if (values[i] === LABEL.MISSING && optional.includes(k)) continue;
      record[k] = values[i] as string;
    }
    const series = this.create(Object.freeze(record), this.host.now());
    this.byKey.set(key, series);
    return series;
  }

  series(): IterableIterator<S> {
    return this.allSeries();
  }

  get seriesCount(): number {
    return this.byKey.size + (this.overflowSeries ? 1 : 0);
  }

  private *allSeries(): IterableIterator<S> {
    yield* this.byKey.values();
    if (this.overflowSeries) yield this.overflowSeries;
  }

  private overflow(): S {
    this.host.onOverflow(this.spec.name);
    if (!this.overflowSeries) {
      const record: Record<string, string> = {};
      for (const key of this.spec.labelKeys) record[key] = LABEL.OTHER;
      this.overflowSeries = this.create(Object.freeze(record), this.host.now());
    }
    return this.overflowSeries;
  }
}

function safeGet(labels: unknown, key: string): unknown {
  try {
    return labels !== null && typeof labels === 'object' ? (labels as Record<string, unknown>)[key] : undefined;
  } catch {
    return LABEL.INVALID;
  }
}

export type Counter<K extends string = string> = Instrument<K, CounterSeries>;
export type UpDownCounter<K extends string = string> = Instrument<K, UpDownCounterSeries>;
export type Gauge<K extends string = string> = Instrument<K, GaugeSeries>;
export type Histogram<K extends string = string> = Instrument<K, HistogramSeries>;
export type AnyInstrument = Instrument<string, AnySeries>;

export function seriesFactory(kind: InstrumentKind, boundaries: readonly number[], exemplars = true): SeriesFactory<AnySeries> {
  switch (kind) {
    case 'counter':
      return (labels, start) => new CounterSeries(labels, start);
    case 'updowncounter':
      return (labels, start) => new UpDownCounterSeries(labels, start);
    case 'gauge':
      return (labels, start) => new GaugeSeries(labels, start);
    case 'histogram':
      return (labels, start) => new HistogramSeries(labels, start, boundaries, exemplars);
  }
}
