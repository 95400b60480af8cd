import type { BufferedMetricUpdate } from '@temporalio/worker';
import { countDropped, getCollector, type MetricsCollector } from '@threadline/core';

interface Target {
  readonly keys: readonly string[];
  readonly keySet: ReadonlySet<string>;
  readonly apply: (labels: Record<string, unknown>, value: number) => void;
}

/**
 * Tag keys the Rust core puts on its metrics. One metric does not always carry the same set
 * (`temporal_request` has no `namespace` for GetSystemInfo), so every bridged instrument declares
 * all of them as optional labels: a tag absent from an update is absent from its series.
 */
const CORE_TAG_KEYS = [
  'namespace',
  'task_queue',
  'workflow_type',
  'activity_type',
  'nexus_service',
  'nexus_operation',
  'operation',
  'service_name',
  'status_code',
  'worker_type',
  'poller_type',
  'eager',
  'failure_reason',
];

/**
 * Replays the Rust core's buffered metric updates into the threadline collector under their own
 * `temporal_*` names. Label keys: the core's known tags plus those of the first update seen (custom
 * and global tags); a key first seen later is dropped and counted. Values pass the collector's
 * cardinality guard.
 */
export class BridgeRecorder {
  constructor(private readonly extraKeys: readonly string[] = []) {}

  private collector: MetricsCollector | undefined;
  private targets = new Map<string, Target | null>();

  record(update: BufferedMetricUpdate): void {
    const collector = getCollector();
    if (collector !== this.collector) {
      this.collector = collector;
      this.targets = new Map();
    }
    const metric = update.metric;
    let target = this.targets.get(metric.name);
    if (target === undefined) {
      target = declare(collector, update, this.extraKeys);
      this.targets.set(metric.name, target);
    }
    if (target === null || !Number.isFinite(update.value)) {
      countDropped('temporal_metric');
      return;
    }
    const attributes = update.attributes ?? {};
    const labels: Record<string, unknown> = {};
    for (const key of target.keys) labels[key] = attributes[key];
    for (const key in attributes) if (!target.keySet.has(key)) countDropped('temporal_metric_tag');
    target.apply(labels, update.value);
  }
}

function declare(collector: MetricsCollector, update: BufferedMetricUpdate, extraKeys: readonly string[]): Target | null {
  const { metric } = update;
  const keys = [...new Set([...CORE_TAG_KEYS, ...extraKeys, ...Object.keys(update.attributes ?? {})])].sort();
  const keySet = new Set(keys);
  const spec = { name: metric.name, unit: metric.unit || '1', description: metric.description ?? '', labelKeys: keys, optionalLabelKeys: keys };
  try {
    switch (metric.kind) {
      case 'counter': {
        const counter = collector.counter(spec);
        // Buffered counter values are deltas since the previous drain.
        return { keys, keySet, apply: (labels, value) => value >= 0 && counter.bind(labels).add(value) };
      }
      case 'up-down-counter': {
        const upDown = collector.upDownCounter(spec);
        return { keys, keySet, apply: (labels, value) => upDown.bind(labels).add(value) };
      }
      case 'gauge': {
        const gauge = collector.gauge(spec);
        return { keys, keySet, apply: (labels, value) => gauge.bind(labels).set(value) };
      }
      case 'histogram': {
        const histogram = collector.histogram(spec);
        return { keys, keySet, apply: (labels, value) => histogram.bind(labels).record(value) };
      }
      default:
        return null;
    }
  } catch {
    // A name already declared with another shape: the first declaration wins.
    return null;
  }
}
