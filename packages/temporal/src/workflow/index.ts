/**
 * The workflow-interceptor module: Worker.create bundles it into the workflow sandbox through
 * `interceptors.workflowModules` (createWorkerTelemetry() supplies the path), and workflow code
 * imports withSpan / workflowTraceIds from it. Runs inside the sandbox: imports only
 * @temporalio/workflow and pure files.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { TracingInbound, TracingInternals, TracingOutbound } from './interceptors.js';
import { WorkflowTracer } from './tracer.js';
import { registerWorkflowTracer } from './user-spans.js';

export { withSpan, workflowTraceIds, type WorkflowSpanOptions, type WorkflowTraceIds } from './user-spans.js';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const tracer = new WorkflowTracer();
  registerWorkflowTracer(tracer);
  return {
    inbound: [new TracingInbound(tracer)],
    outbound: [new TracingOutbound(tracer)],
    internals: [new TracingInternals(tracer)],
  };
};
