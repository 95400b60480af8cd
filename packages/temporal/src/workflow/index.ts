/**
 * The workflow-interceptor module: Worker.create bundles it into the workflow sandbox through
 * `interceptors.workflowModules` (createWorkerTelemetry() supplies the path). Runs inside the sandbox:
 * imports only @temporalio/workflow and pure files.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { TracingInbound, TracingInternals, TracingOutbound } from './interceptors.js';
import { WorkflowTracer } from './tracer.js';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const tracer = new WorkflowTracer();
  return {
    inbound: [new TracingInbound(tracer)],
    outbound: [new TracingOutbound(tracer)],
    internals: [new TracingInternals(tracer)],
  };
};
