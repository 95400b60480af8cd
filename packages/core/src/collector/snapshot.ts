import type { MetricsCollector } from './collector.js';
import type { InstrumentKind } from './instrument.js';
import type { Exemplar } from './exemplars.js';
import type { GaugeSeries, HistogramSeries } from './series.js';

export interface HistogramValue {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly min?: number;
  readonly max?: number;
  /** The latest exemplar per bucket, when a sampled span was active for one of its values. */
  readonly exemplars?: readonly Exemplar[];
}

export interface SnapshotPoint {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | HistogramValue;
}

export interface SnapshotMetric {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  readonly points: readonly SnapshotPoint[];
}

/** The in-memory sink: a plain copy of every series right now. */
export function snapshot(collector: MetricsCollector): SnapshotMetric[] {
  const out: SnapshotMetric[] = [];
  for (const instrument of collector.instruments()) {
    const points: SnapshotPoint[] = [];
    for (const series of instrument.series()) {
      if (instrument.kind === 'histogram') {
        const h = series as HistogramSeries;
        const exemplars = h.exemplars();
        points.push({
          labels: series.labels,
          value: {
            boundaries: [...h.boundaries],
            counts: Array.from(h.counts),
            sum: h.sum,
            count: h.count,
            ...(h.count > 0 ? { min: h.min, max: h.max } : {}),
            ...(exemplars.length > 0 ? { exemplars } : {}),
          },
        });
      } else if (instrument.kind === 'gauge') {
        if ((series as GaugeSeries).hasValue) points.push({ labels: series.labels, value: (series as GaugeSeries).value });
      } else {
        points.push({ labels: series.labels, value: (series as { value: number }).value });
      }
    }
    out.push({ name: instrument.spec.name, kind: instrument.kind, unit: instrument.spec.unit, description: instrument.spec.description, points });
  }
  return out;
}

/** The point of `name` whose labels include every given pair, or undefined. */
export function findPoint(
  collector: MetricsCollector,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): SnapshotPoint | undefined {
  const metric = snapshot(collector).find((m) => m.name === name);
  return metric?.points.find((p) => Object.entries(labels).every(([k, v]) => p.labels[k] === v));
}
