import type { MetricsCollector } from './collector.js';
import type { AnyInstrument, Counter, Gauge, Histogram, UpDownCounter } from './instrument.js';

/** One shared do-nothing series: what every bind returns while no collector is configured. */
const NOOP_SERIES = Object.freeze({
  labels: Object.freeze({}),
  startTimeMs: 0,
  value: 0,
  add(): void {},
  set(): void {},
  record(): void {},
});

const NOOP_INSTRUMENT = Object.freeze({
  kind: 'counter',
  name: '',
  spec: Object.freeze({ name: '', unit: '1', description: '', labelKeys: Object.freeze([]) }),
  seriesCount: 0,
  bind: () => NOOP_SERIES,
  series: () => [][Symbol.iterator](),
});

/** The collector plugins see when none is configured: every record call is a no-op. */
export const NOOP_COLLECTOR: MetricsCollector = Object.freeze({
  maxSeriesPerInstrument: 0,
  counter: () => NOOP_INSTRUMENT as unknown as Counter,
  upDownCounter: () => NOOP_INSTRUMENT as unknown as UpDownCounter,
  gauge: () => NOOP_INSTRUMENT as unknown as Gauge,
  histogram: () => NOOP_INSTRUMENT as unknown as Histogram,
  instruments: () => ([] as AnyInstrument[])[Symbol.iterator](),
  instrument: () => undefined,
  onDeclare: () => () => false,
  now: () => Date.now(),
  onOverflow: () => undefined,
  withScope: () => NOOP_COLLECTOR,
}) as unknown as MetricsCollector;
