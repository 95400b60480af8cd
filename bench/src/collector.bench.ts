import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { MetricsCollector } from '@threadline/core';
import { Counter as PromCounter, Histogram as PromHistogram, Registry } from 'prom-client';
import { compare, formatNs, row } from './harness.js';
import { IdleReader } from './otel-fixtures.js';

const LABELS = { 'messaging.system.name': 'bullmq', 'messaging.destination.name': 'orders', 'messaging.operation.name': 'process' };
const PROM_LABELS = { system: 'bullmq', destination: 'orders', operation: 'process' };

/** The collector's bound record vs the OTel SDK and prom-client with the same three labels. */
export default async function collectorBench() {
  const collector = new MetricsCollector();
  const counter = collector.counter({ name: 'bench.count', labelKeys: Object.keys(LABELS) }).bind(LABELS);
  const histogram = collector.histogram({ name: 'bench.duration', unit: 's', labelKeys: Object.keys(LABELS) }).bind(LABELS);

  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  const meter = meterProvider.getMeter('bench');
  const otelCounter = meter.createCounter('bench.otel.count');
  const otelHistogram = meter.createHistogram('bench.otel.duration', { unit: 's' });

  const registry = new Registry();
  const promCounter = new PromCounter({ name: 'bench_prom_count', help: 'h', labelNames: Object.keys(PROM_LABELS), registers: [registry] });
  const promHistogram = new PromHistogram({ name: 'bench_prom_duration', help: 'h', labelNames: Object.keys(PROM_LABELS), registers: [registry] });

  let sink = 0;
  const ops = 200_000;
  const rows = await compare({
    id: '01-collector',
    title: 'Collector record path: counter add + histogram record (3 labels)',
    baseline: 'empty loop',
    opsPerRound: ops,
    rounds: 21,
    scenarios: [
      { name: 'empty loop', run: (n) => { for (let i = 0; i < n; i++) sink += i & 1; } },
      { name: 'threadline bound counter.add', run: (n) => { for (let i = 0; i < n; i++) counter.add(1); } },
      { name: 'threadline bound histogram.record', run: (n) => { for (let i = 0; i < n; i++) histogram.record(0.0123); } },
      { name: 'OTel SDK Counter.add', run: (n) => { for (let i = 0; i < n; i++) otelCounter.add(1, LABELS); } },
      { name: 'OTel SDK Histogram.record', run: (n) => { for (let i = 0; i < n; i++) otelHistogram.record(0.0123, LABELS); } },
      { name: 'prom-client labels().inc()', run: (n) => { for (let i = 0; i < n; i++) promCounter.labels(PROM_LABELS).inc(); } },
      { name: 'prom-client labels().observe()', run: (n) => { for (let i = 0; i < n; i++) promHistogram.labels(PROM_LABELS).observe(0.0123); } },
    ],
    notes: (r) => {
      const add = row(r, 'threadline bound counter.add').medianNs;
      const rec = row(r, 'threadline bound histogram.record').medianNs;
      const otelAdd = row(r, 'OTel SDK Counter.add').medianNs;
      const otelRec = row(r, 'OTel SDK Histogram.record').medianNs;
      const promInc = row(r, 'prom-client labels().inc()').medianNs;
      const promObs = row(r, 'prom-client labels().observe()').medianNs;
      return [
        `Goals: bound record ≤ 100 ns, ≥ 10× cheaper than the OTel SDK call, ≥ 2.5× cheaper than prom-client.`,
        '',
        `- counter: ${formatNs(add)}; OTel SDK / threadline = ${(otelAdd / add).toFixed(1)}×; prom-client / threadline = ${(promInc / add).toFixed(1)}×`,
        `- histogram: ${formatNs(rec)}; OTel SDK / threadline = ${(otelRec / rec).toFixed(1)}×; prom-client / threadline = ${(promObs / rec).toFixed(1)}×`,
      ].join('\n');
    },
  });
  await meterProvider.shutdown();
  if (sink === -1) console.log(sink);
  return rows;
}
