import type { BufferedMetricUpdate } from '@temporalio/worker';
import { countDropped, getCollector, type MetricsCollector } from '@threadline/core';

interface Target {
  readonly keys: readonly string[];
  readonly apply: (labels: Record<string, unknown>, value: number) => void;
}

/**
 * Replays the Rust core's buffered metric updates into the threadline collector under their own
 * `temporal_*` names. Label keys are fixed by the first update seen for a metric (the core emits a
 * stable tag set per metric); values go through the collector's cardinality guard.
 */
export class BridgeRecorder {
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
      target = declare(collector, update);
      this.targets.set(metric.name, target);
    }
    if (target === null || !Number.isFinite(update.value)) {
      countDropped('temporal_metric');
      return;
    }
    const attributes = update.attributes ?? {};
    const labels: Record<string, unknown> = {};
    for (const key of target.keys) labels[key] = attributes[key];
    target.apply(labels, update.value);
  }
}

function declare(collector: MetricsCollector, update: BufferedMetricUpdate): Target | null {
  const { metric } = update;
  const keys = Object.keys(update.attributes ?? {}).sort();
  const spec = { name: metric.name, unit: metric.unit || '1', description: metric.description ?? '', labelKeys: keys, optionalLabelKeys: keys };
  try {
    switch (metric.kind) {
      case 'counter': {
        const counter = collector.counter(spec);
        // Buffered counter values are deltas since the previous drain.
        return { keys, apply: (labels, value) => value >= 0 && counter.bind(labels).add(value) };
      }
      case 'up-down-counter': {
        const upDown = collector.upDownCounter(spec);
        return { keys, apply: (labels, value) => upDown.bind(labels).add(value) };
      }
      case 'gauge': {
        const gauge = collector.gauge(spec);
        return { keys, apply: (labels, value) => gauge.bind(labels).set(value) };
      }
      case 'histogram': {
        const histogram = collector.histogram(spec);
        return { keys, apply: (labels, value) => histogram.bind(labels).record(value) };
      }
      default:
        return null;
    }
  } catch {
    // A name already declared with another shape: the first declaration wins.
    return null;
  }
}
