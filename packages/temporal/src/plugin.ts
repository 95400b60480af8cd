import type { ClientOptions, ClientPlugin } from '@temporalio/client';
import type {
  BundleOptions,
  BundlerPlugin,
  NativeConnectionOptions,
  NativeConnectionPlugin,
  ReplayWorkerOptions,
  WorkerOptions,
  WorkerPlugin,
} from '@temporalio/worker';
import { bundleCode, bundleRegistersInterceptors, missingInterceptorsError } from './bundle-check.js';
import { createClientInterceptors, instrumentationFrom } from './client-interceptors.js';
import { installTemporalMetricsBridge, type TemporalMetricsBridge } from './metrics-bridge.js';
import { SINK_NAME } from './span-data.js';
import type { TemporalPluginOptions } from './worker-types.js';
import { workerTelemetryFor, type WorkerTelemetry } from './worker.js';

type ClientConfig = Omit<ClientOptions, 'plugins'>;
type AnyWorkerOptions = WorkerOptions | ReplayWorkerOptions;

/**
 * One object for Temporal's plugin hooks (experimental in the SDK): as a NativeConnection plugin
 * it installs the metrics bridge before the Runtime exists (when `metrics` is set) and passes
 * itself on to every Worker on that connection; as a Worker plugin it adds the activity
 * interceptor, the workflow-interceptor module and the tracing sink; as a Bundler plugin
 * (`bundleWorkflowCode({ plugins: [plugin] })`) it bundles the workflow-interceptor module into a
 * prebuilt `workflowBundle`, and a Worker given a bundle without it fails at creation; as a Client
 * plugin, the client interceptors. Each hook is idempotent, so listing it in several places adds
 * nothing twice.
 */
export class TemporalPlugin implements WorkerPlugin, ClientPlugin, NativeConnectionPlugin, BundlerPlugin {
  readonly name = 'threadline.temporal';
  private readonly worker: WorkerTelemetry;
  private readonly client: ReturnType<typeof createClientInterceptors>;
  private readonly metricsOptions: TemporalPluginOptions['metrics'];
  private bridgeInstance: TemporalMetricsBridge | undefined;

  constructor(options: TemporalPluginOptions = {}) {
    const { metrics, ...telemetry } = options;
    const instrumentation = instrumentationFrom(telemetry);
    this.worker = workerTelemetryFor(instrumentation, telemetry);
    this.client = createClientInterceptors(instrumentation);
    this.metricsOptions = metrics;
  }

  /** The metrics bridge this plugin installed, once a NativeConnection was made with it. */
  get metricsBridge(): TemporalMetricsBridge | undefined {
    return this.bridgeInstance;
  }

  configureNativeConnection(options: NativeConnectionOptions): NativeConnectionOptions {
    if (this.metricsOptions && !this.bridgeInstance) this.bridgeInstance = installTemporalMetricsBridge(this.metricsOptions === true ? {} : this.metricsOptions);
    return options;
  }

  configureClient(options: ClientConfig): ClientConfig {
    const workflow = options.interceptors?.workflow;
    const current = Array.isArray(workflow) ? workflow : [];
    if (current.some((interceptor) => this.client.workflow.includes(interceptor))) return options;
    return { ...options, interceptors: { ...options.interceptors, workflow: [...current, ...this.client.workflow] } };
  }

  /** Adds the workflow-interceptor module to a bundle (`bundleWorkflowCode`, or the Worker's own bundling). */
  configureBundler(options: BundleOptions): BundleOptions {
    const modules = options.workflowInterceptorModules ?? [];
    const missing = this.worker.interceptors.workflowModules.filter((module) => !modules.includes(module));
    return missing.length === 0 ? options : { ...options, workflowInterceptorModules: [...modules, ...missing] };
  }

  configureWorker(options: WorkerOptions): Promise<WorkerOptions> {
    return this.addToWorker(options);
  }

  configureReplayWorker(options: ReplayWorkerOptions): Promise<ReplayWorkerOptions> {
    return this.addToWorker(options);
  }

  private async addToWorker<O extends AnyWorkerOptions>(options: O): Promise<O> {
    const interceptors = options.interceptors ?? {};
    const modules = interceptors.workflowModules ?? [];
    const [workflowModule] = this.worker.interceptors.workflowModules;
    if (workflowModule !== undefined && modules.includes(workflowModule)) return options;
    if (options.sinks && SINK_NAME in options.sinks) return options;
    // A prebuilt bundle ignores workflowModules: the interceptors must be in it already.
    const bundle = options.workflowBundle;
    if (bundle !== undefined) {
      const code = await bundleCode(bundle);
      if (code !== undefined && !bundleRegistersInterceptors(code)) throw missingInterceptorsError();
    }
    return {
      ...options,
      interceptors: {
        ...interceptors,
        activity: [...(interceptors.activity ?? []), ...this.worker.interceptors.activity],
        ...(bundle === undefined ? { workflowModules: [...modules, ...this.worker.interceptors.workflowModules] } : {}),
      },
      sinks: { ...options.sinks, ...this.worker.sinks },
    };
  }
}
