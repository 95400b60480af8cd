// Its own file: Temporal allows one Runtime per process, and this one carries the MetricsBuffer.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { setupTelemetry } from '@threadline/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { installTemporalMetricsBridge } from '../src/worker-entry.js';
import { FakeTemporalServer } from './fake-server.js';

const harness = setupTelemetry();
const bridge = installTemporalMetricsBridge({ intervalMs: 60_000, runtimeOptions: { logger: new DefaultLogger('ERROR') } });
beforeEach(() => harness.reset());
const meter = () => Runtime.instance().metricMeter;

describe('metrics bridge: Runtime + MetricsBuffer drained into the collector', () => {
  it('counters arrive as deltas and add up, under their temporal_* names with tags as labels', async () => {
    const jobs = meter().createCounter('temporal_test_jobs', '{job}', 'test counter');
    jobs.add(2, { task_queue: 'orders' });
    jobs.add(1, { task_queue: 'billing' });
    bridge.flush();
    expect((await harness.metricPoint<number>('temporal_test_jobs', { task_queue: 'orders' })).value).toBe(2);
    jobs.add(3, { task_queue: 'orders' });
    bridge.flush();
    expect((await harness.metricPoint<number>('temporal_test_jobs', { task_queue: 'orders' })).value).toBe(5);
    expect((await harness.metricPoint<number>('temporal_test_jobs', { task_queue: 'billing' })).value).toBe(1);
  });

  it('histograms keep every recorded value; gauges keep the last one', async () => {
    const latency = meter().createHistogram('temporal_test_latency', 'float', 's', 'test histogram');
    latency.record(0.25, { workflow_type: 'greet' });
    latency.record(0.75, { workflow_type: 'greet' });
    const slots = meter().createGauge('temporal_test_slots', 'int', '{slot}', 'test gauge');
    slots.set(7, { task_queue: 'orders' });
    slots.set(4, { task_queue: 'orders' });
    bridge.flush();
    const histogram = await harness.metricPoint<{ count: number; sum: number }>('temporal_test_latency', { workflow_type: 'greet' });
    expect(histogram.value.count).toBe(2);
    expect(histogram.value.sum).toBeCloseTo(1.0);
    expect((await harness.metricPoint<number>('temporal_test_slots', { task_queue: 'orders' })).value).toBe(4);
  });

  it('tag values are bounded by the collector guard', async () => {
    harness.reset({ maxSeriesPerInstrument: 3 });
    const ids = meter().createCounter('temporal_test_by_id', '{call}');
    for (let i = 0; i < 10; i++) ids.add(1, { workflow_id: `wf-${i}` });
    bridge.flush();
    expect((await harness.metricPoint<number>('temporal_test_by_id', { workflow_id: '_other' })).value).toBeGreaterThan(0);
    expect((await harness.metricPoint<number>('threadline.collector.overflow', { 'threadline.collector.instrument': 'temporal_test_by_id' })).value).toBeGreaterThan(0);
  });

  it('the Rust core’s own temporal_* metrics flow through, also after Temporal recreates an idle Runtime', async () => {
    const server = new FakeTemporalServer({ DescribeNamespace: () => ({ namespaceInfo: { name: 'default' } }) });
    const address = await server.start();
    try {
      const first = await NativeConnection.connect({ address });
      await first.workflowService.describeNamespace({ namespace: 'default' });
      await first.close(); // last native object gone: Temporal shuts the Runtime down
      const second = await NativeConnection.connect({ address }); // and re-creates it from the same options
      expect(Runtime.instance()).not.toBe(bridge.runtime);
      await second.close();
    } finally {
      await server.stop();
    }
    bridge.flush();
    const requests = await harness.metricPoint<number>('temporal_request', { operation: 'GetSystemInfo', service_name: 'temporal-core-sdk' });
    expect(requests.value).toBe(2);
    const described = await harness.metricPoint<number>('temporal_request', { operation: 'DescribeNamespace', namespace: 'default' });
    expect(described.value).toBe(1);
    expect(requests.attributes).not.toHaveProperty('namespace');
    const latency = await harness.metricPoint<{ count: number }>('temporal_request_latency', { operation: 'DescribeNamespace' });
    expect(latency.value.count).toBe(1);
  });

  it('a second install throws at startup, saying what to change', () => {
    expect(bridge.runtime).toBeInstanceOf(Runtime);
    expect(() => installTemporalMetricsBridge()).toThrow(/already called in this process/);
    expect(() => installTemporalMetricsBridge({ intervalMs: 0 })).toThrow(/intervalMs/);
  });
});
