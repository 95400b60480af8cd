import { ATTR } from '../../names.js';
import { conditional, EXCEPTION_EVENT, recommended, required } from '../conventions.js';
import type { AttributeUse, PackageNames, SpanEntry } from '../types.js';

const T = 'threadline.temporal.';
const spanAttributes: AttributeUse[] = [
  ...['workflow.type', 'workflow.id', 'run.id', 'task_queue', 'namespace', 'activity.type', 'activity.id', 'activity.local', 'attempt', 'signal.name', 'query.type', 'update.name', 'continued_as_new'].map((name) =>
    recommended(T + name),
  ),
  conditional(ATTR.ERROR_TYPE, 'if the call failed (not for BENIGN failures)'),
  conditional(T + 'benign_failure', 'on a BENIGN ApplicationFailure'),
];

// Span names of the official Temporal interceptors and the Go SDK, so traces read the same.
const SPANS: ReadonlyArray<readonly [string, SpanEntry['kind'], string]> = [
  ['StartWorkflow', 'CLIENT', 'Client starts a workflow'],
  ['SignalWithStartWorkflow', 'CLIENT', 'Client signal-with-start'],
  ['UpdateWithStartWorkflow', 'CLIENT', 'Client update-with-start'],
  ['SignalWorkflow', 'CLIENT', 'Client signals a workflow'],
  ['QueryWorkflow', 'CLIENT', 'Client queries a workflow'],
  ['UpdateWorkflow', 'CLIENT', 'Client updates a workflow'],
  ['TerminateWorkflow', 'CLIENT', 'Client terminates a workflow'],
  ['CancelWorkflow', 'CLIENT', 'Client cancels a workflow'],
  ['RunWorkflow', 'SERVER', 'A workflow run on this worker'],
  ['HandleSignal', 'SERVER', 'Signal handler'],
  ['HandleQuery', 'SERVER', 'Query handler'],
  ['HandleUpdate', 'SERVER', 'Update handler'],
  ['StartActivity', 'CLIENT', 'Workflow schedules an activity'],
  ['StartChildWorkflow', 'CLIENT', 'Workflow starts a child workflow'],
  ['SignalExternalWorkflow', 'CLIENT', 'Workflow signals another workflow'],
  ['ContinueAsNew', 'INTERNAL', 'Workflow continues as new'],
  ['RunActivity', 'SERVER', 'An activity attempt on this worker'],
];

const TYPE = (name: string) => required(T + name);

export const TEMPORAL_NAMES: PackageNames = {
  package: '@threadline/temporal',
  scopes: ['@threadline/temporal'],
  spans: [
    ...SPANS.map(([prefix, kind, description]) => ({ pattern: `${prefix}:{type}`, kind, description, attributes: spanAttributes })),
    // The user names these and sets their attributes, like core's traced().
    { pattern: '{name}', kind: 'INTERNAL', description: 'A `withSpan(name, fn)` step in workflow code (`@threadline/temporal/workflow`)', attributes: [conditional(ATTR.ERROR_TYPE, 'if the step threw')], callerAttributes: true },
  ],
  metrics: [
    { name: 'threadline.temporal.workflow.runs', unit: '{run}', instrument: 'counter', description: 'Workflow executions finished on this worker, by workflow type and result', attributes: [TYPE('workflow.type'), required(ATTR.RESULT), conditional(ATTR.ERROR_TYPE, 'if the run failed')] },
    { name: 'threadline.temporal.workflow.run.duration', unit: 's', instrument: 'histogram', description: 'Workflow execution time in workflow time (first task to completion), by workflow type', attributes: [TYPE('workflow.type')] },
    { name: 'threadline.temporal.activity.runs', unit: '{run}', instrument: 'counter', description: 'Activity attempts finished on this worker, by activity type and result', attributes: [TYPE('activity.type'), required(ATTR.RESULT), conditional(ATTR.ERROR_TYPE, 'if the attempt failed')] },
    { name: 'threadline.temporal.activity.run.duration', unit: 's', instrument: 'histogram', description: 'Duration of activity attempts, by activity type', attributes: [TYPE('activity.type'), required(ATTR.RESULT)] },
    { name: 'threadline.temporal.client.operation.duration', unit: 's', instrument: 'histogram', description: 'Duration of Temporal client calls, by operation and result', attributes: [TYPE('operation'), required(ATTR.RESULT), conditional(ATTR.ERROR_TYPE, 'if the call failed')] },
  ],
  events: [EXCEPTION_EVENT],
  passthroughMetricPrefixes: ['temporal_'],
  deviations: [
    'Span names follow the official Temporal interceptors (`StartWorkflow:{type}`, ...): no OTel convention for workflow engines exists.',
    "The Temporal SDK's own metrics (`temporal_*`, from its Rust core) are bridged with their names and tags unchanged, so Temporal's dashboards work.",
  ],
};
