import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { METRICS, MetricsCollector, createOtelMetricProducer, prometheusName, registerPromClientSink } from '../src/index.js';

class TestReader extends MetricReader {
  protected override async onShutdown() {}
  protected override async onForceFlush() {}
}

/** `name{label,...}` for every sample line of a Prometheus text exposition (HELP / TYPE / target_info left out). */
function samples(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('target_info')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.slice(0, pair.indexOf('=')))
      .filter((key) => key !== 'le' && !key.startsWith('otel_scope'))
      .sort();
    out.add(`${match[1]}{${labels.join(',')}}`);
  }
  return [...out].sort();
}

it('the prom-client sink names every instrument as the installed OTel Prometheus exporter does', async () => {
  const collector = new MetricsCollector();
  const duration = collector.histogram({ ...METRICS.DB_CLIENT_OPERATION_DURATION, labelKeys: ['db.system.name', 'error.type'], optionalLabelKeys: ['error.type'] });
  duration.bind({ 'db.system.name': 'postgresql' }).record(0.02);
  collector.counter({ ...METRICS.MESSAGING_CLIENT_SENT_MESSAGES, labelKeys: ['messaging.destination.name'] }).bind({ 'messaging.destination.name': 'orders' }).add(2);
  collector.upDownCounter({ ...METRICS.DB_CLIENT_CONNECTION_COUNT, labelKeys: ['db.client.connection.pool.name', 'db.client.connection.state'] }).bind({ 'db.client.connection.pool.name': 'p', 'db.client.connection.state': 'used' }).add(1);
  collector.gauge({ ...METRICS.CDC_RETAINED_WAL, labelKeys: ['threadline.cdc.slot'] }).bind({ 'threadline.cdc.slot': 's' }).set(4096);
  collector.counter({ name: 'test.odd__name-1', unit: 'ms', labelKeys: ['a..b'] }).bind({ 'a..b': 'x' }).add(1);

  const reader = new TestReader({ metricProducers: [createOtelMetricProducer(collector) as never] });
  new MeterProvider({ readers: [reader] });
  const { resourceMetrics } = await reader.collect();
  const fromExporter = samples(new PrometheusSerializer(undefined, false, undefined, true, true).serialize(resourceMetrics));

  const registry = new Registry();
  registerPromClientSink(collector, registry);
  const fromPromClient = samples(await registry.metrics());

  expect(fromPromClient).toEqual(fromExporter);
  expect(fromExporter).toContain('db_client_operation_duration_count{db_system_name}');
  expect(fromExporter).toContain('messaging_client_sent_messages_total{messaging_destination_name}');
  expect(fromExporter).toContain('db_client_connection_count{db_client_connection_pool_name,db_client_connection_state}');
  expect(fromExporter).toContain('test_odd_name_1_total{a_b}');
});

it('prometheusName: no unit suffix, _total on counters only', () => {
  expect(prometheusName({ kind: 'histogram', spec: { ...METRICS.HTTP_CLIENT_REQUEST_DURATION, labelKeys: [], optionalLabelKeys: [], description: '' } })).toBe('http_client_request_duration');
  expect(prometheusName({ kind: 'counter', spec: { ...METRICS.KV_OPERATIONS, labelKeys: [], optionalLabelKeys: [], description: '' } })).toBe('threadline_kv_operations_total');
  expect(prometheusName({ kind: 'updowncounter', spec: { ...METRICS.FUNCTION_IN_FLIGHT, labelKeys: [], optionalLabelKeys: [], description: '' } })).toBe('threadline_function_in_flight');
});
