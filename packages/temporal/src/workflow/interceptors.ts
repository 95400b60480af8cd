import {
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type QueryInput,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { KIND, logCorrelation, SPAN_PREFIX, TEMPORAL_ATTR, spanName } from '../semconv.js';
import { traced, withHeader } from './traced.js';
import type { SandboxSpan, WorkflowTracer } from './tracer.js';

function workflowAttributes(): Record<string, string | number | boolean> {
  const info = workflowInfo();
  return {
    [TEMPORAL_ATTR.WORKFLOW_TYPE]: info.workflowType,
    [TEMPORAL_ATTR.WORKFLOW_ID]: info.workflowId,
    [TEMPORAL_ATTR.RUN_ID]: info.runId,
    [TEMPORAL_ATTR.TASK_QUEUE]: info.taskQueue,
    [TEMPORAL_ATTR.NAMESPACE]: info.namespace,
  };
}

/** RunWorkflow and the handler spans; each continues the trace its caller put in the header. */
export class TracingInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly tracer: WorkflowTracer) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const t = this.tracer;
    const type = workflowInfo().workflowType;
    return traced(
      t,
      () => (t.runSpan = t.startSpan(spanName(SPAN_PREFIX.RUN_WORKFLOW, type), KIND.SERVER, workflowAttributes(), t.fromHeaders(input.headers))),
      () => next(input),
      type,
    );
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    const t = this.tracer;
    const attributes = () => ({ ...workflowAttributes(), [TEMPORAL_ATTR.SIGNAL_NAME]: input.signalName });
    return traced(t, () => t.startSpan(spanName(SPAN_PREFIX.HANDLE_SIGNAL, input.signalName), KIND.SERVER, attributes(), t.fromHeaders(input.headers) ?? t.active()), () => next(input));
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    const t = this.tracer;
    const attributes = () => ({ ...workflowAttributes(), [TEMPORAL_ATTR.UPDATE_NAME]: input.name });
    return traced(t, () => t.startSpan(spanName(SPAN_PREFIX.HANDLE_UPDATE, input.name), KIND.SERVER, attributes(), t.fromHeaders(input.headers) ?? t.active()), () => next(input));
  }

  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    const t = this.tracer;
    const attributes = () => ({ ...workflowAttributes(), [TEMPORAL_ATTR.QUERY_TYPE]: input.queryName });
    return traced(t, () => t.startSpan(spanName(SPAN_PREFIX.HANDLE_QUERY, input.queryName), KIND.SERVER, attributes(), t.fromHeaders(input.headers) ?? t.active(), true), () => next(input));
  }
}

/** StartActivity / StartChildWorkflow / SignalExternalWorkflow / ContinueAsNew, each injecting the header. */
export class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly tracer: WorkflowTracer) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return this.activity(input.activityType, false, (span) => next({ ...input, headers: withHeader(this.tracer, input.headers, span) }));
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return this.activity(input.activityType, true, (span) => next({ ...input, headers: withHeader(this.tracer, input.headers, span) }));
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    const t = this.tracer;
    const attributes = () => ({ [TEMPORAL_ATTR.WORKFLOW_TYPE]: input.workflowType, [TEMPORAL_ATTR.TASK_QUEUE]: input.options.taskQueue ?? workflowInfo().taskQueue });
    // The span covers issuing the start command, not the child's whole life (its RunWorkflow shows that).
    return traced(
      t,
      () => t.startSpan(spanName(SPAN_PREFIX.START_CHILD_WORKFLOW, input.workflowType), KIND.CLIENT, attributes(), t.active()),
      (span) => next({ ...input, headers: withHeader(t, input.headers, span) }),
    );
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    const t = this.tracer;
    const attributes = { [TEMPORAL_ATTR.SIGNAL_NAME]: input.signalName };
    return traced(
      t,
      () => t.startSpan(spanName(SPAN_PREFIX.SIGNAL_EXTERNAL, input.signalName), KIND.CLIENT, attributes, t.active()),
      (span) => next({ ...input, headers: withHeader(t, input.headers, span) }),
    );
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    const t = this.tracer;
    return traced(
      t,
      () => {
        const type = input.options.workflowType;
        return t.startSpan(spanName(SPAN_PREFIX.CONTINUE_AS_NEW, type), KIND.INTERNAL, { [TEMPORAL_ATTR.WORKFLOW_TYPE]: type }, t.active());
      },
      (span) => next({ ...input, headers: withHeader(t, input.headers, span) }),
    );
  }

  /** Workflow logger records carry the ids of the span the code runs under (log correlation). */
  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const attributes = next(input);
    try {
      const ref = this.tracer.active();
      return ref ? { ...attributes, ...logCorrelation(ref.traceId, ref.spanId, ref.traceFlags) } : attributes;
    } catch {
      return attributes;
    }
  }

  private activity(type: string, local: boolean, call: (span: SandboxSpan | undefined) => Promise<unknown>): Promise<unknown> {
    const t = this.tracer;
    const attributes = { [TEMPORAL_ATTR.ACTIVITY_TYPE]: type, [TEMPORAL_ATTR.ACTIVITY_LOCAL]: local };
    return traced(t, () => t.startSpan(spanName(SPAN_PREFIX.START_ACTIVITY, type), KIND.CLIENT, attributes, t.active()), call);
  }
}

/** Releases the per-workflow context storage when the workflow leaves the cache. */
export class TracingInternals implements WorkflowInternalsInterceptor {
  constructor(private readonly tracer: WorkflowTracer) {}

  dispose(input: Parameters<NonNullable<WorkflowInternalsInterceptor['dispose']>>[0], next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    try {
      this.tracer.dispose();
    } finally {
      next(input);
    }
  }
}
