/**
 * Temporal names beyond core's `ATTR`; @threadline/core's registry (`TEMPORAL_NAMES`) lists every
 * name temporal emits (a test keeps the two equal). Pure constants: this file is also bundled into
 * the workflow sandbox, so it imports nothing.
 */

/** Header key shared with the Go SDK and @temporalio/interceptors-opentelemetry. */
export const TRACE_HEADER = '_tracer-data';

/** Span-name prefixes, joined to the type or handler name with `:` (Go and official TS names). */
export const SPAN_PREFIX = {
  START_WORKFLOW: 'StartWorkflow',
  SIGNAL_WITH_START: 'SignalWithStartWorkflow',
  SIGNAL: 'SignalWorkflow',
  QUERY: 'QueryWorkflow',
  UPDATE: 'UpdateWorkflow',
  UPDATE_WITH_START: 'UpdateWithStartWorkflow',
  TERMINATE: 'TerminateWorkflow',
  CANCEL: 'CancelWorkflow',
  RUN_WORKFLOW: 'RunWorkflow',
  HANDLE_SIGNAL: 'HandleSignal',
  HANDLE_QUERY: 'HandleQuery',
  HANDLE_UPDATE: 'HandleUpdate',
  START_ACTIVITY: 'StartActivity',
  START_CHILD_WORKFLOW: 'StartChildWorkflow',
  SIGNAL_EXTERNAL: 'SignalExternalWorkflow',
  CONTINUE_AS_NEW: 'ContinueAsNew',
  RUN_ACTIVITY: 'RunActivity',
} as const;

export function spanName(prefix: string, target: string | undefined): string {
  return target ? `${prefix}:${target}` : prefix;
}

export const TEMPORAL_ATTR = {
  WORKFLOW_TYPE: 'threadline.temporal.workflow.type',
  WORKFLOW_ID: 'threadline.temporal.workflow.id',
  RUN_ID: 'threadline.temporal.run.id',
  TASK_QUEUE: 'threadline.temporal.task_queue',
  NAMESPACE: 'threadline.temporal.namespace',
  ACTIVITY_TYPE: 'threadline.temporal.activity.type',
  ACTIVITY_ID: 'threadline.temporal.activity.id',
  ACTIVITY_LOCAL: 'threadline.temporal.activity.local',
  ATTEMPT: 'threadline.temporal.attempt',
  SIGNAL_NAME: 'threadline.temporal.signal.name',
  QUERY_TYPE: 'threadline.temporal.query.type',
  UPDATE_NAME: 'threadline.temporal.update.name',
  CONTINUED_AS_NEW: 'threadline.temporal.continued_as_new',
  RESULT: 'threadline.result',
  OPERATION: 'threadline.temporal.operation',
  BENIGN_FAILURE: 'threadline.temporal.benign_failure',
} as const;

/** Per-type metrics recorded by the interceptors (the SDK's own `temporal_*` metrics come through the bridge). */
export const TEMPORAL_METRICS = {
  WORKFLOW_RUNS: { name: 'threadline.temporal.workflow.runs', unit: '{run}', description: 'Workflow executions finished on this worker, by workflow type and result' },
  WORKFLOW_RUN_DURATION: { name: 'threadline.temporal.workflow.run.duration', unit: 's', description: 'Workflow execution time in workflow time (first task to completion), by workflow type' },
  ACTIVITY_RUNS: { name: 'threadline.temporal.activity.runs', unit: '{run}', description: 'Activity attempts finished on this worker, by activity type and result' },
  ACTIVITY_RUN_DURATION: { name: 'threadline.temporal.activity.run.duration', unit: 's', description: 'Duration of activity attempts, by activity type' },
  CLIENT_OPERATION_DURATION: { name: 'threadline.temporal.client.operation.duration', unit: 's', description: 'Duration of Temporal client calls, by operation and result' },
} as const;

/** OTel SpanKind values, spelled out so the sandbox needs no @opentelemetry/api. */
export const KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2 } as const;

/**
 * Log-record fields tying a log line to its span, as the OTel spec names them for non-OTLP log
 * formats ("Trace Context in Non-OTLP Log Formats"): trace_id, span_id, trace_flags.
 */
export const LOG_FIELD = { TRACE_ID: 'trace_id', SPAN_ID: 'span_id', TRACE_FLAGS: 'trace_flags' } as const;

export function logCorrelation(traceId: string, spanId: string, traceFlags: number): Record<string, string> {
  return { [LOG_FIELD.TRACE_ID]: traceId, [LOG_FIELD.SPAN_ID]: spanId, [LOG_FIELD.TRACE_FLAGS]: (traceFlags & 0xff).toString(16).padStart(2, '0') };
}
