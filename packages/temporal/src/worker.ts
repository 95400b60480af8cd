import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { activityInterceptorsFactory } from './activity.js';
import { instrumentationFrom } from './client-interceptors.js';
import { TemporalInstrumentation } from './instrumentation.js';
import { workflowModulePath } from './module-path.js';
import { createSpanRecreator } from './sink-exporter.js';
import { SINK_NAME, type TracingSinks } from './span-data.js';
import type { WorkerTelemetryOptions } from './types.js';

/** What createWorkerTelemetry returns: spread `interceptors` and `sinks` into Worker.create options. */
export interface WorkerTelemetry {
  readonly interceptors: { activity: ActivityInterceptorsFactory[]; workflowModules: string[] };
  readonly sinks: InjectedSinks<TracingSinks>;
}

/**
 * Everything Worker.create needs: the activity interceptor, the workflow-interceptor module path
 * (bundled into the sandbox) and the sink that turns sandbox spans into real spans.
 */
export function createWorkerTelemetry(options: WorkerTelemetryOptions | TemporalInstrumentation = {}): WorkerTelemetry {
  return workerTelemetryFor(instrumentationFrom(options), options instanceof TemporalInstrumentation ? {} : options);
}

/** createWorkerTelemetry with the instrumentation given apart (the plugin shares one with its client side). */
export function workerTelemetryFor(instrumentation: TemporalInstrumentation, workerOptions: WorkerTelemetryOptions): WorkerTelemetry {
  if (workerOptions.exportDuringReplay !== undefined && typeof workerOptions.exportDuringReplay !== 'boolean') {
    throw new TypeError(`@threadline/temporal: "exportDuringReplay" must be a boolean, got ${typeof workerOptions.exportDuringReplay}`);
  }
  const workflowModule = workflowModulePath(workerOptions.workflowModule);
  const recreate = createSpanRecreator(() => instrumentation.tracer, () => instrumentation.recordError);
  return {
    interceptors: { activity: [activityInterceptorsFactory(instrumentation)], workflowModules: [workflowModule] },
    sinks: { [SINK_NAME]: { export: { fn: recreate, callDuringReplay: workerOptions.exportDuringReplay === true } } } as InjectedSinks<TracingSinks>,
  };
}
