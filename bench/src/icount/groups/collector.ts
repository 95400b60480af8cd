import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { MetricsCollector } from '@threadline/core';
import { Histogram as PromHistogram, Registry } from 'prom-client';
import { IdleReader } from '../../otel-fixtures.js';
import type { IcountGroup } from '../scenario.js';

const LABELS = { 'messaging.system': 'bullmq', 'messaging.destination.name': 'orders', 'messaging.operation.name': 'process' };
const PROM_LABELS = { system: 'bullmq', destination: 'orders', operation: 'process' };

// Written by the empty loop so it is not optimized away.
const out = { sink: 0 };

/** The collector's bound record against the OTel SDK and prom-client, three labels each. */
export const collectorGroup: IcountGroup = {
  id: 'collector',
  title: 'Collector record path (3 labels)',
  ops: 3_000,
  settingFree: true,
  async setup() {
    const collector = new MetricsCollector();
    const counter = collector.counter({ name: 'bench.count', labelKeys: Object.keys(LABELS) }).bind(LABELS);
    const histogram = collector.histogram({ name: 'bench.duration', unit: 's', labelKeys: Object.keys(LABELS) }).bind(LABELS);
    const meter = new MeterProvider({ readers: [new IdleReader()] }).getMeter('bench');
    const otelCounter = meter.createCounter('bench.otel.count');
    const otelHistogram = meter.createHistogram('bench.otel.duration', { unit: 's' });
    const promHistogram = new PromHistogram({ name: 'bench_prom_duration', help: 'h', labelNames: Object.keys(PROM_LABELS), registers: [new Registry()] });
    return [
      { name: 'empty loop', role: 'baseline', run: (n) => { for (let i = 0; i < n; i++) out.sink += i & 1; } },
      { name: 'threadline bound counter.add', role: 'threadline', anchor: 'OTel SDK Counter.add', run: (n) => { for (let i = 0; i < n; i++) counter.add(1); } },
      { name: 'threadline bound histogram.record', role: 'threadline', anchor: 'OTel SDK Histogram.record', run: (n) => { for (let i = 0; i < n; i++) histogram.record(0.0123); } },
      { name: 'OTel SDK Counter.add', role: 'anchor', run: (n) => { for (let i = 0; i < n; i++) otelCounter.add(1, LABELS); } },
      { name: 'OTel SDK Histogram.record', role: 'anchor', run: (n) => { for (let i = 0; i < n; i++) otelHistogram.record(0.0123, LABELS); } },
      { name: 'prom-client labels().observe()', role: 'anchor', run: (n) => { for (let i = 0; i < n; i++) promHistogram.labels(PROM_LABELS).observe(0.0123); } },
    ];
  },
};
