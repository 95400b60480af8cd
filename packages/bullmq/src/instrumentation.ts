import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { BullMQTelemetryAdapter, isThreadlineAdapter } from './hook.js';
import { withNodeOptions } from './flow.js';
import { watchQueueDepth, type QueueDepthSource, type QueueDepthWatch } from './queue-depth.js';
import { createRuntime } from './runtime.js';
import { withProcessCarrier } from './sandbox-carrier.js';
import type { BullMQInstrumentationConfig, JobLike } from './types.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './version.js';

const SUPPORTED = ['>=5.22.0 <7'];

interface BullMQExports {
  QueueBase?: { prototype: object };
  Worker?: { prototype: object };
  FlowProducer?: { prototype: object };
  Job?: { prototype: object; optsAsJSON?: unknown };
}

type WithOpts = { opts?: { telemetry?: unknown } };
type WithTelemetry = { telemetry?: unknown };
type AnyFn = (...args: unknown[]) => unknown;

/**
 * OpenTelemetry Instrumentation for BullMQ. It gives every Queue, Worker and FlowProducer built
 * without a `telemetry` option the threadline adapter (an instance that has one keeps it), and
 * shows the adapter each job the processor runs. Spans and metrics come from the same adapter as
 * `bullmqTelemetry()`.
 */
export class BullMQInstrumentation extends InstrumentationBase<BullMQInstrumentationConfig> {
  private adapter: BullMQTelemetryAdapter;
  private depth: QueueDepthWatch | undefined;
  // Instances already handed to the depth watch: one WeakSet lookup per traced call after that.
  private readonly depthSeen = new WeakSet<object>();

  constructor(config: BullMQInstrumentationConfig = {}) {
    super(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, config);
    this.adapter = this.buildAdapter(config);
    this.depth = this.buildDepthWatch(config);
  }

  override setConfig(config: BullMQInstrumentationConfig = {}): void {
    super.setConfig(config);
    this.adapter = this.buildAdapter(config);
    this.depth?.stop();
    this.depth = this.buildDepthWatch(config);
  }

  override disable(): void {
    super.disable();
    this.depth?.stop();
  }

  /** The queue-depth watch (`queueDepthIntervalMs`), e.g. to `poll()` now; undefined when off. */
  get queueDepth(): QueueDepthWatch | undefined {
    return this.depth;
  }

  /** The adapter this instrumentation injects; also usable directly as a `telemetry` option. */
  get telemetry(): BullMQTelemetryAdapter {
    return this.adapter;
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      'bullmq',
      SUPPORTED,
      (moduleExports: BullMQExports) => {
        this.patch(moduleExports);
        return moduleExports;
      },
      (moduleExports: BullMQExports) => this.unpatch(moduleExports),
    );
  }

  /** Patches a loaded bullmq module by hand (for bundlers or apps that loaded it before enable()). */
  patch(moduleExports: BullMQExports): void {
    // The wrappers run with BullMQ's `this`; they read the current adapter through these.
    const current = () => this.adapter;
    const enabled = () => this._enabled;
    const seen = (instance: object) => {
      const depth = this.depth;
      if (depth === undefined || this.depthSeen.has(instance)) return;
      this.depthSeen.add(instance);
      depth.add(instance as QueueDepthSource);
    };
    const queueBase = moduleExports.QueueBase?.prototype as { trace?: AnyFn } | undefined;
    if (queueBase && typeof queueBase.trace === 'function' && !isWrapped(queueBase.trace)) {
      this._wrap(queueBase, 'trace', (original) =>
        function (this: WithOpts, ...args: unknown[]) {
          // Queue and Worker copy their options, so setting the field touches only this instance.
          if (enabled() && this.opts && this.opts.telemetry === undefined) this.opts.telemetry = current();
          if (enabled()) seen(this);
          return (original as AnyFn).apply(this, args);
        } as never,
      );
    }
    const worker = moduleExports.Worker?.prototype as { callProcessJob?: AnyFn } | undefined;
    if (worker && typeof worker.callProcessJob === 'function' && !isWrapped(worker.callProcessJob)) {
      this._wrap(worker, 'callProcessJob', (original) =>
        function (this: WithOpts, job: unknown) {
          const telemetry = this.opts?.telemetry;
          // eslint-disable-next-line prefer-rest-params
          const args = arguments;
          if (!isThreadlineAdapter(telemetry) || job === null || typeof job !== 'object') return Reflect.apply(original as AnyFn, this, args);
          return telemetry.runProcessor(job as JobLike, original as AnyFn, this, args);
        } as never,
      );
    }
    // A sandboxed processor gets the job as this JSON: the copy it is sent carries the attempt's
    // process span context in BullMQ's own telemetry metadata (see sandbox-carrier.ts).
    const job = moduleExports.Job?.prototype as { asJSONSandbox?: AnyFn } | undefined;
    if (job && typeof job.asJSONSandbox === 'function' && !isWrapped(job.asJSONSandbox)) {
      // bullmq 5 encodes options for storage (and for the child) with `Job.optsAsJSON`; bullmq 6 has none.
      const form = typeof moduleExports.Job?.optsAsJSON === 'function' ? 'compact' : 'full';
      this._wrap(job, 'asJSONSandbox', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const json = (original as AnyFn).apply(this, args);
          return enabled() ? withProcessCarrier(json, form) : json;
        } as never,
      );
    }
    const flow = moduleExports.FlowProducer?.prototype as { add?: AnyFn; addBulk?: AnyFn } | undefined;
    for (const method of ['add', 'addBulk'] as const) {
      if (!flow || typeof flow[method] !== 'function' || isWrapped(flow[method])) continue;
      this._wrap(flow, method, (original) =>
        function (this: WithTelemetry, nodes: unknown, ...rest: unknown[]) {
          if (enabled() && this.telemetry === undefined) this.telemetry = current();
          if (!isThreadlineAdapter(this.telemetry)) return (original as AnyFn).call(this, nodes, ...rest);
          const prepared = Array.isArray(nodes) ? nodes.map(withNodeOptions) : withNodeOptions(nodes);
          return (original as AnyFn).call(this, prepared, ...rest);
        } as never,
      );
    }
  }

  unpatch(moduleExports: BullMQExports): void {
    const targets: Array<[object | undefined, string]> = [
      [moduleExports.QueueBase?.prototype, 'trace'],
      [moduleExports.Worker?.prototype, 'callProcessJob'],
      [moduleExports.Job?.prototype, 'asJSONSandbox'],
      [moduleExports.FlowProducer?.prototype, 'add'],
      [moduleExports.FlowProducer?.prototype, 'addBulk'],
    ];
    for (const [target, name] of targets) {
      if (target && isWrapped((target as Record<string, unknown>)[name])) this._unwrap(target as Record<string, unknown>, name);
    }
  }

  private buildDepthWatch(config: BullMQInstrumentationConfig): QueueDepthWatch | undefined {
    const intervalMs = config.queueDepthIntervalMs;
    return intervalMs === undefined ? undefined : watchQueueDepth([], { intervalMs });
  }

  private buildAdapter(config: BullMQInstrumentationConfig): BullMQTelemetryAdapter {
    const { enabled: _enabled, queueDepthIntervalMs: _depth, ...options } = config;
    return new BullMQTelemetryAdapter(createRuntime(options, () => this.tracer));
  }
}
