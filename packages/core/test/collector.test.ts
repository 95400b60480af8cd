import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  DB_SECONDS_BUCKETS,
  LABEL,
  METRICS,
  MetricsCollector,
  NOOP_COLLECTOR,
  SECONDS_BUCKETS,
  SHARED_INSTRUMENTS,
  createOtelMetricProducer,
  defineMetrics,
  findPoint,
  getCollector,
  registerPromClientSink,
  setCollector,
  snapshot,
} from '../src/index.js';

class TestReader extends MetricReader {
  protected override async onShutdown() {}
  protected override async onForceFlush() {}
}

/** All three sinks on one collector: an OTel SDK reader, a prom-client registry, the snapshot. */
function threeSinks(collector: MetricsCollector) {
  const reader = new TestReader({ metricProducers: [createOtelMetricProducer(collector) as never] });
  new MeterProvider({ readers: [reader] });
  const registry = new Registry();
  registerPromClientSink(collector, registry);
  return {
    async otel(name: string) {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name);
    },
    async prom(name: string) {
      return (await registry.getMetricsAsJSON()).filter((m) => m.name === name);
    },
    registry,
  };
}

describe('declaration', () => {
  it('returns the same instrument for an identical declaration', () => {
    const c = new MetricsCollector();
    const a = c.counter({ name: 'x.count', unit: '1', labelKeys: ['a'] });
    expect(c.counter({ name: 'x.count', unit: '1', labelKeys: ['a'] })).toBe(a);
  });

  it('throws naming both declarations when kind, unit or labels differ', () => {
    const c = new MetricsCollector();
    c.counter({ name: 'x.dup', unit: 's', labelKeys: ['a', 'b'] });
    expect(() => c.histogram({ name: 'x.dup', unit: 's', labelKeys: ['a', 'b'] })).toThrow(
      /already declared as counter\(unit=s, labels=\[a, b\]\).*histogram\(unit=s, labels=\[a, b\]\) differs in kind/,
    );
    expect(() => c.counter({ name: 'x.dup', unit: 'ms', labelKeys: ['a', 'b'] })).toThrow(/differs in unit/);
    expect(() => c.counter({ name: 'x.dup', unit: 's', labelKeys: ['a'] })).toThrow(/differs in label keys/);
    expect(() => c.gauge({ name: 'x.dup', unit: 's', labelKeys: ['a', 'b'] })).toThrow(/counter.*gauge/);
  });

  it('rejects a bad series limit at construction', () => {
    expect(() => new MetricsCollector({ maxSeriesPerInstrument: 0 })).toThrow(/positive integer/);
  });
});

describe('bound series', () => {
  it('binds the same handle for the same labels and records without allocation', () => {
    const c = new MetricsCollector();
    const counter = c.counter({ name: 'b.count', labelKeys: ['q'] });
    const h = counter.bind({ q: 'a' });
    expect(counter.bind({ q: 'a' })).toBe(h);
    h.add(1);
    h.add(2);
    expect(h.value).toBe(3);
    // Allocation-free record path: run it hot and check the heap stays flat.
    for (let i = 0; i < 1e5; i++) h.add(1);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1e6; i++) h.add(1);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(1_000_000);
  });

  it('coerces non-string labels, fills missing ones and never throws', () => {
    const c = new MetricsCollector();
    const counter = c.counter({ name: 'b.labels', labelKeys: ['a', 'b', 'c', 'd'] });
    const hostile = { toString: () => { throw new Error('nope'); } };
    const s = counter.bind({ a: 42, b: true, d: hostile } as never);
    expect(s.labels).toEqual({ a: '42', b: 'true', c: LABEL.MISSING, d: LABEL.INVALID });
    expect(() => counter.bind(null as never)).not.toThrow();
    expect(() => counter.bind({ get a() { throw new Error('getter'); } } as never)).not.toThrow();
  });

  it('leaves optional label keys out when missing', () => {
    const c = new MetricsCollector();
    const h = c.histogram({ name: 'b.dur', unit: 's', labelKeys: ['op', 'error.type'], optionalLabelKeys: ['error.type'] });
    expect(h.bind({ op: 'get' }).labels).toEqual({ op: 'get' });
    expect(h.bind({ op: 'get', 'error.type': 'ECONNREFUSED' }).labels).toEqual({ op: 'get', 'error.type': 'ECONNREFUSED' });
  });

  it('ignores negative and non-finite increments on a counter', () => {
    const s = new MetricsCollector().counter({ name: 'b.mono', labelKeys: [] }).bind();
    s.add(-1);
    s.add(Number.NaN);
    s.add(Infinity);
    expect(s.value).toBe(0);
  });
});

describe('cardinality guard', () => {
  it('folds new label sets into _other past the limit and counts the overflow', () => {
    const c = new MetricsCollector({ maxSeriesPerInstrument: 3 });
    const counter = c.counter({ name: 'g.count', labelKeys: ['id'] });
    for (let i = 0; i < 10; i++) counter.bind({ id: `user-${i}` }).add(1);
    const points = snapshot(c).find((m) => m.name === 'g.count')!.points;
    expect(points).toHaveLength(4);
    expect(points.find((p) => p.labels.id === LABEL.OTHER)!.value).toBe(7);
    expect(findPoint(c, METRICS.COLLECTOR_OVERFLOW.name, { 'threadline.collector.instrument': 'g.count' })!.value).toBe(7);
  });
});

describe('sinks', () => {
  it('one counter increment is exactly 1 in the OTel reader, prom-client and the snapshot', async () => {
    const c = new MetricsCollector();
    const sinks = threeSinks(c);
    c.counter({ ...METRICS.MESSAGING_CLIENT_SENT_MESSAGES, labelKeys: ['messaging.destination.name'] })
      .bind({ 'messaging.destination.name': 'orders' })
      .add(1);

    const [otel] = await sinks.otel('messaging.client.sent.messages');
    expect(otel!.dataPointType).toBe(DataPointType.SUM);
    expect(otel!.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(otel!.dataPoints).toHaveLength(1);
    expect(otel!.dataPoints[0]!.value).toBe(1);
    expect(otel!.dataPoints[0]!.attributes).toEqual({ 'messaging.destination.name': 'orders' });

    const prom = await sinks.prom('messaging_client_sent_messages_total');
    expect(prom).toHaveLength(1);
    expect(prom[0]!.values).toEqual([{ labels: { messaging_destination_name: 'orders' }, value: 1 }]);
    expect(await sinks.registry.metrics()).toContain('messaging_client_sent_messages_total{messaging_destination_name="orders"} 1');

    expect(findPoint(c, 'messaging.client.sent.messages')!.value).toBe(1);
  });

  it('a balanced up-down counter reads 0 and a gauge reads the last value in every sink', async () => {
    const c = new MetricsCollector();
    const sinks = threeSinks(c);
    const inFlight = c.upDownCounter({ name: 's.in_flight', labelKeys: ['q'] }).bind({ q: 'a' });
    inFlight.add(1);
    inFlight.add(1);
    inFlight.add(-1);
    inFlight.add(-1);
    const gauge = c.gauge({ name: 's.level', labelKeys: [] }).bind();
    gauge.set(5);
    gauge.set(3);

    const [udc] = await sinks.otel('s.in_flight');
    expect(udc!.dataPointType).toBe(DataPointType.SUM);
    expect((udc as { isMonotonic: boolean }).isMonotonic).toBe(false);
    expect(udc!.dataPoints[0]!.value).toBe(0);
    const [g] = await sinks.otel('s.level');
    expect(g!.dataPointType).toBe(DataPointType.GAUGE);
    expect(g!.dataPoints[0]!.value).toBe(3);

    expect((await sinks.prom('s_in_flight'))[0]!.values[0]!.value).toBe(0);
    expect((await sinks.prom('s_level'))[0]!.values[0]!.value).toBe(3);
    expect(findPoint(c, 's.in_flight')!.value).toBe(0);
    expect(findPoint(c, 's.level')!.value).toBe(3);
  });

  it('histograms use the semconv boundaries, identical in every sink', async () => {
    const c = new MetricsCollector();
    const sinks = threeSinks(c);
    const h = c.histogram({ ...METRICS.DB_CLIENT_OPERATION_DURATION, labelKeys: ['op'], boundaries: DB_SECONDS_BUCKETS }).bind({ op: 'get' });
    const t = c.histogram({ ...METRICS.HTTP_CLIENT_REQUEST_DURATION, labelKeys: [] }).bind();
    h.record(0.003);
    h.record(0.2);
    h.record(20);
    t.record(0.007);

    const [otel] = await sinks.otel('db.client.operation.duration');
    const value = otel!.dataPoints[0]!.value as { buckets: { boundaries: number[]; counts: number[] }; count: number; sum: number };
    expect(value.buckets.boundaries).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);
    expect(value.buckets.counts).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(value.count).toBe(3);
    expect(value.sum).toBeCloseTo(20.203);
    const [http] = await sinks.otel('http.client.request.duration');
    expect((http!.dataPoints[0]!.value as { buckets: { boundaries: number[] } }).buckets.boundaries).toEqual([...SECONDS_BUCKETS]);

    const prom = (await sinks.prom('db_client_operation_duration'))[0]!;
    const les = prom.values.filter((v) => (v as { metricName?: string }).metricName?.endsWith('_bucket')).map((v) => v.labels.le);
    expect(les).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, '+Inf']);
    expect(prom.values.find((v) => v.labels.le === 0.005)!.value).toBe(1);
    expect(prom.values.find((v) => v.labels.le === '+Inf')!.value).toBe(3);

    const snap = findPoint(c, 'db.client.operation.duration')!.value as { boundaries: readonly number[]; counts: readonly number[] };
    expect(snap.boundaries).toEqual(value.buckets.boundaries);
    expect(snap.counts).toEqual(value.buckets.counts);
  });

  it('instruments declared after the prom-client sink registers still show up', async () => {
    const c = new MetricsCollector();
    const sinks = threeSinks(c);
    c.counter({ name: 'late.count', labelKeys: [] }).bind().add(2);
    expect((await sinks.prom('late_count_total'))[0]!.values[0]!.value).toBe(2);
  });
});

describe('global collector', () => {
  it('is a no-op until one is set, and defineMetrics re-declares when it changes', () => {
    setCollector(undefined);
    expect(getCollector()).toBe(NOOP_COLLECTOR);
    const metrics = defineMetrics((c) => c.counter({ name: 'glob.count', labelKeys: ['a'] }));
    expect(() => metrics().bind({ a: 'x' }).add(1)).not.toThrow();
    const c = new MetricsCollector();
    setCollector(c);
    metrics().bind({ a: 'x' }).add(1);
    expect(findPoint(c, 'glob.count')!.value).toBe(1);
    setCollector(undefined);
  });
});

describe('shared instruments', () => {
  it('lets two plugins declare db.client.operation.duration from the one shared spec', () => {
    const c = new MetricsCollector();
    const fromKnex = c.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION);
    const fromKeyv = c.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION);
    expect(fromKeyv).toBe(fromKnex);
    expect(fromKnex.spec.boundaries).toEqual([...DB_SECONDS_BUCKETS]);
  });
});
