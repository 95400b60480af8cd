import { defaultBuckets } from '../buckets.js';
import { ATTR, METRICS } from '../names.js';
import {
  Instrument,
  seriesFactory,
  type AnyInstrument,
  type Counter,
  type Gauge,
  type Histogram,
  type InstrumentKind,
  type InstrumentationScopeLike,
  type InstrumentSpec,
  type UpDownCounter,
} from './instrument.js';
import type { AnySeries } from './series.js';

export interface CollectorOptions {
  /** Series per instrument before new label sets fold into `_other`. Default 1000. */
  readonly maxSeriesPerInstrument?: number;
  /**
   * Histograms keep, per bucket, the latest value recorded while a sampled span was active, with
   * its trace and span id (exported as OTLP / OpenMetrics exemplars). Default true.
   */
  readonly exemplars?: boolean;
}

export type DeclarationListener = (instrument: AnyInstrument) => void;

/**
 * The one metrics collector of a process. Plugins declare instruments here and record through
 * bound series; sinks (OTel readers, prom-client, snapshots) read the same aggregated values,
 * so one emit is exactly one value in every sink.
 */
export class MetricsCollector {
  readonly maxSeriesPerInstrument: number;
  readonly exemplars: boolean;
  private readonly instrumentsByName = new Map<string, AnyInstrument>();
  private readonly listeners = new Set<DeclarationListener>();
  private readonly overflowCounter: Counter<typeof ATTR.COLLECTOR_INSTRUMENT>;

  constructor(options: CollectorOptions = {}) {
    const max = options.maxSeriesPerInstrument ?? 1000;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`maxSeriesPerInstrument must be a positive integer, got ${String(max)}`);
    }
    this.maxSeriesPerInstrument = max;
    this.exemplars = options.exemplars ?? true;
    this.overflowCounter = this.counter({ ...METRICS.COLLECTOR_OVERFLOW, labelKeys: [ATTR.COLLECTOR_INSTRUMENT] });
  }

  counter<K extends string>(spec: InstrumentSpec<K>): Counter<K> {
    return this.declare('counter', spec) as unknown as Counter<K>;
  }

  upDownCounter<K extends string>(spec: InstrumentSpec<K>): UpDownCounter<K> {
    return this.declare('updowncounter', spec) as unknown as UpDownCounter<K>;
  }

  gauge<K extends string>(spec: InstrumentSpec<K>): Gauge<K> {
    return this.declare('gauge', spec) as unknown as Gauge<K>;
  }

  histogram<K extends string>(spec: InstrumentSpec<K>): Histogram<K> {
    return this.declare('histogram', spec) as unknown as Histogram<K>;
  }

  instruments(): IterableIterator<AnyInstrument> {
    return this.instrumentsByName.values();
  }

  instrument(name: string): AnyInstrument | undefined {
    return this.instrumentsByName.get(name);
  }

  /** Called for every instrument already declared and for each one declared later. */
  onDeclare(listener: DeclarationListener): () => void {
    this.listeners.add(listener);
    for (const instrument of this.instrumentsByName.values()) listener(instrument);
    return () => this.listeners.delete(listener);
  }

  /**
   * A view of this collector whose declarations carry `scope` (unless a spec names its own), so
   * exported metrics can be told apart by the plugin that declared them.
   */
  withScope(scope: InstrumentationScopeLike): MetricsCollector {
    const view = Object.create(this) as MetricsCollector;
    view.counter = (spec) => this.counter({ scope, ...spec });
    view.upDownCounter = (spec) => this.upDownCounter({ scope, ...spec });
    view.gauge = (spec) => this.gauge({ scope, ...spec });
    view.histogram = (spec) => this.histogram({ scope, ...spec });
    return view;
  }

  /** Hook for the instruments' clock; series start times are wall-clock milliseconds. */
  now(): number {
    return Date.now();
  }

  onOverflow(instrumentName: string): void {
    // The guard's own counter never overflows into itself: it has one series per instrument.
    if (instrumentName !== this.overflowCounter?.name) this.overflowCounter.bind({ [ATTR.COLLECTOR_INSTRUMENT]: instrumentName }).add(1);
  }

  private declare<K extends string>(kind: InstrumentKind, spec: InstrumentSpec<K>): AnyInstrument {
    const normalized = normalizeSpec(kind, spec);
    const existing = this.instrumentsByName.get(normalized.name);
    if (existing) {
      const conflict = describeConflict(existing, kind, normalized);
      if (conflict) {
        throw new Error(
          `Metric "${normalized.name}" is already declared as ${describe(existing.kind, existing.spec)}; ` +
            `the new declaration ${describe(kind, normalized)} differs in ${conflict}. ` +
            `Use one declaration per name (see the naming table in @threadline/core).`,
        );
      }
      return existing;
    }
    const instrument = new Instrument<string, AnySeries>(
      kind,
      normalized,
      this,
      seriesFactory(kind, normalized.boundaries ?? [], this.exemplars),
    );
    this.instrumentsByName.set(normalized.name, instrument);
    for (const listener of this.listeners) listener(instrument);
    return instrument;
  }
}

type NormalizedSpec = AnyInstrument['spec'];

function normalizeSpec(kind: InstrumentKind, spec: InstrumentSpec<string>): NormalizedSpec {
  if (!spec || typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new TypeError('A metric declaration needs a non-empty name');
  }
  const unit = spec.unit ?? '1';
  return {
    name: spec.name,
    unit,
    description: spec.description ?? '',
    labelKeys: Object.freeze([...spec.labelKeys]),
    optionalLabelKeys: Object.freeze([...(spec.optionalLabelKeys ?? [])]),
    ...(spec.scope ? { scope: Object.freeze({ ...spec.scope }) } : {}),
    ...(kind === 'histogram' ? { boundaries: Object.freeze([...(spec.boundaries ?? defaultBuckets(unit))]) } : {}),
  };
}

function describeConflict(existing: AnyInstrument, kind: InstrumentKind, spec: NormalizedSpec): string | undefined {
  if (existing.kind !== kind) return 'kind';
  if (existing.spec.unit !== spec.unit) return 'unit';
  if (existing.spec.labelKeys.join(',') !== spec.labelKeys.join(',')) return 'label keys';
  if (existing.spec.optionalLabelKeys.join(',') !== spec.optionalLabelKeys.join(',')) return 'optional label keys';
  if (kind === 'histogram' && existing.spec.boundaries?.join(',') !== spec.boundaries?.join(',')) return 'bucket boundaries';
  return undefined;
}

function describe(kind: InstrumentKind, spec: NormalizedSpec): string {
  return `${kind}(unit=${spec.unit}, labels=[${spec.labelKeys.join(', ')}])`;
}
