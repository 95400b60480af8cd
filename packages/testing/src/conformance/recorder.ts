import type { InstrumentKind } from '@threadline/core';

export interface RecordedEvent {
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface RecordedSpan {
  readonly scope: string | undefined;
  readonly name: string;
  /** `CLIENT`, `SERVER`, ... as OTLP names kinds. */
  readonly kind: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly RecordedEvent[];
  /** Where it was seen: `harness` or `otlp`. */
  readonly source: string;
}

export interface RecordedMetric {
  /** Instrumentation scope, when the source tells it (OTLP); the harness records only threadline's collector. */
  readonly scope?: string;
  readonly name: string;
  readonly unit: string | undefined;
  readonly instrument: InstrumentKind | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly source: string;
}

/** Everything emitted in this test file's process, for the conformance check at its end. */
export interface ConformanceRecorder {
  readonly spans: RecordedSpan[];
  readonly metrics: RecordedMetric[];
  /** Opt-In attribute names the running test file turned on. */
  readonly optIns: Set<string>;
  /** Called before the check: collects what is still only in memory (the harness's current collector). */
  readonly flushers: Set<() => void>;
  /** Shapes already recorded: a suite can emit millions of points, one record per distinct shape is kept. */
  readonly seen: Set<string>;
}

const KEY = Symbol.for('threadline.testing.conformance');
type Slot = { [KEY]?: ConformanceRecorder };

/** One recorder per process, shared by every bundle of @threadline/testing that is loaded. */
export function recorder(): ConformanceRecorder {
  const slot = globalThis as Slot;
  return (slot[KEY] ??= { spans: [], metrics: [], optIns: new Set(), flushers: new Set(), seen: new Set() });
}

const MAX_RECORDS = 50_000;

function keep(key: string): boolean {
  const { seen } = recorder();
  if (seen.has(key) || seen.size >= MAX_RECORDS) return false;
  seen.add(key);
  return true;
}

function shapeKey(parts: unknown[], attributes: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attributes).sort();
  return JSON.stringify([...parts, keys, keys.map((k) => (typeof attributes[k] === 'string' && /system|type|state/.test(k) ? attributes[k] : typeof attributes[k]))]);
}

export function recordSpan(span: RecordedSpan): void {
  const key = shapeKey(['span', span.scope, span.name, span.kind, span.events.map((e) => [e.name, Object.keys(e.attributes).sort()])], span.attributes);
  if (keep(key)) recorder().spans.push(span);
}

export function recordMetric(metric: RecordedMetric): void {
  const key = shapeKey(['metric', metric.name, metric.unit, metric.instrument], metric.attributes);
  if (keep(key)) recorder().metrics.push(metric);
}

/** Empties the recorder (after a check). */
export function clearRecorder(): void {
  const r = recorder();
  r.spans.length = 0;
  r.metrics.length = 0;
  r.optIns.clear();
  r.seen.clear();
}
