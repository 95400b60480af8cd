/**
 * Temporal names threadline uses that @threadline/core's table lacks. Pure constants: this file is
 * also bundled into the workflow sandbox, so it imports nothing.
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
  WORKFLOW_TYPE: 'temporal.workflow.type',
  WORKFLOW_ID: 'temporal.workflow.id',
  RUN_ID: 'temporal.run.id',
  TASK_QUEUE: 'temporal.task_queue',
  NAMESPACE: 'temporal.namespace',
  ACTIVITY_TYPE: 'temporal.activity.type',
  ACTIVITY_ID: 'temporal.activity.id',
  ACTIVITY_LOCAL: 'temporal.activity.local',
  ATTEMPT: 'temporal.attempt',
  SIGNAL_NAME: 'temporal.signal.name',
  QUERY_TYPE: 'temporal.query.type',
  UPDATE_NAME: 'temporal.update.name',
  CONTINUED_AS_NEW: 'temporal.continued_as_new',
  RESULT: 'temporal.result',
} as const;

/** Per-type metrics recorded by the interceptors (the SDK's own `temporal_*` metrics come through the bridge). */
export const TEMPORAL_METRICS = {
  WORKFLOW_RUNS: { name: 'temporal.workflow.runs', unit: '{run}', description: 'Workflow executions finished on this worker, by workflow type and result' },
  WORKFLOW_RUN_DURATION: { name: 'temporal.workflow.run.duration', unit: 's', description: 'Workflow execution time in workflow time (first task to completion), by workflow type' },
  ACTIVITY_RUNS: { name: 'temporal.activity.runs', unit: '{run}', description: 'Activity attempts finished on this worker, by activity type and result' },
  ACTIVITY_RUN_DURATION: { name: 'temporal.activity.run.duration', unit: 's', description: 'Duration of activity attempts, by activity type' },
  CLIENT_OPERATION_DURATION: { name: 'temporal.client.operation.duration', unit: 's', description: 'Duration of Temporal client calls, by operation and result' },
} as const;

/** OTel SpanKind values, spelled out so the sandbox needs no @opentelemetry/api. */
export const KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2 } as const;
