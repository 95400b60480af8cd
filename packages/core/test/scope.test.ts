import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { expect, it } from 'vitest';
import { CORE_SCOPE, METRICS, MetricsCollector, SHARED_INSTRUMENTS, createOtelMetricProducer, defineMetrics } from '../src/index.js';

class TestReader extends MetricReader {
  protected override async onShutdown() {}
  protected override async onForceFlush() {}
}

it('exports each plugin metric under the declaring plugin scope; shared and core metrics under core, with its version', async () => {
  const collector = new MetricsCollector();
  const reader = new TestReader({ metricProducers: [createOtelMetricProducer(collector) as never] });
  new MeterProvider({ readers: [reader] });
  const queue = defineMetrics((c) => c.counter({ ...METRICS.MESSAGING_CLIENT_SENT_MESSAGES, labelKeys: [] }), { name: '@threadline/bullmq', version: '1.2.3' });
  const db = defineMetrics((c) => c.histogram(SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION), { name: '@threadline/knex', version: '4.5.6' });
  queue(collector).bind({}).add(1);
  db(collector).bind({}).record(0.01);
  const own = defineMetrics((c) => c.counter({ name: 'x.y', labelKeys: [] }));
  own(collector).bind({}).add(1);

  const { resourceMetrics } = await reader.collect();
  const scopes = Object.fromEntries(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, { version: s.scope.version, metrics: s.metrics.map((m) => m.descriptor.name).sort() }]));
  expect(scopes['@threadline/bullmq']).toEqual({ version: '1.2.3', metrics: [METRICS.MESSAGING_CLIENT_SENT_MESSAGES.name] });
  expect(scopes['@threadline/core']).toEqual({ version: CORE_SCOPE.version, metrics: [SHARED_INSTRUMENTS.DB_CLIENT_OPERATION_DURATION.name, 'x.y'] });
  expect(scopes['@threadline/knex']).toBeUndefined();
  expect(CORE_SCOPE.version).toMatch(/^(dev|\d+\.\d+\.\d+)/);
});
