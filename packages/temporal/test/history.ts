import { createRequire } from 'node:module';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

// History.fromObject from @temporalio/proto itself: historyFromJSON trips over a second protobufjs copy (UPSTREAM.md).
const require = createRequire(import.meta.url);
const { temporal } = require('@temporalio/proto') as typeof import('@temporalio/proto');

const TASK_QUEUE = { name: 'threadline-replay' };
const payloads = (...values: unknown[]) => ({ payloads: values.map((v) => defaultPayloadConverter.toPayload(v)) });
export const traceHeader = (carrier: Record<string, string>) => ({ fields: { '_tracer-data': defaultPayloadConverter.toPayload(carrier) as Payload } });

export type Step = { activity: { type: string; result: string } } | { child: { type: string; workflowId: string; result: string } };

export interface HistoryOptions {
  workflowType: string;
  input: unknown;
  /** Header on WorkflowExecutionStarted (what a traced client sends). */
  startHeader?: Record<string, string>;
  /** A signal delivered in the first workflow task, with its own header. */
  signal?: { name: string; arg: string; header?: Record<string, string> };
  /** What the workflow does, in order; default: one `hello` activity returning `activityResult`. */
  steps?: Step[];
  activityResult?: string;
  /** Completed with a result, failed with an ApplicationFailure, or continued as new. */
  outcome: { result: string } | { failure: { message: string; type: string } } | { continueAsNew: { input: unknown } };
}

/** A hand-written history: started → the steps' commands and results → completed, failed or continued. */
export function buildHistory(o: HistoryOptions): unknown {
  const events: Record<string, unknown>[] = [];
  const add = (eventType: string, attributes: Record<string, unknown>) => {
    const eventId = events.length + 1;
    const key = eventType.replace(/^EVENT_TYPE_/, '').toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) + 'EventAttributes';
    events.push({ eventId, eventTime: { seconds: 1_700_000_000 + eventId }, eventType, [key]: attributes });
    return eventId;
  };
  add('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', {
    workflowType: { name: o.workflowType },
    taskQueue: TASK_QUEUE,
    input: payloads(o.input),
    workflowTaskTimeout: { seconds: 10 },
    originalExecutionRunId: 'run-1',
    firstExecutionRunId: 'run-1',
    attempt: 1,
    ...(o.startHeader ? { header: traceHeader(o.startHeader) } : {}),
  });
  if (o.signal) {
    add('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', {
      signalName: o.signal.name,
      input: payloads(o.signal.arg),
      ...(o.signal.header ? { header: traceHeader(o.signal.header) } : {}),
    });
  }
  const task = () => {
    const scheduled = add('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', { taskQueue: TASK_QUEUE, startToCloseTimeout: { seconds: 10 }, attempt: 1 });
    const started = add('EVENT_TYPE_WORKFLOW_TASK_STARTED', { scheduledEventId: scheduled, identity: 'test' });
    return add('EVENT_TYPE_WORKFLOW_TASK_COMPLETED', { scheduledEventId: scheduled, startedEventId: started, identity: 'test' });
  };
  let lastTask = task();
  const steps = o.steps ?? [{ activity: { type: 'hello', result: o.activityResult ?? '' } }];
  steps.forEach((step, index) => {
    if ('activity' in step) {
      const scheduled = add('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
        activityId: String(index + 1),
        activityType: { name: step.activity.type },
        taskQueue: TASK_QUEUE,
        input: payloads(o.input),
        startToCloseTimeout: { seconds: 60 },
        workflowTaskCompletedEventId: lastTask,
      });
      const started = add('EVENT_TYPE_ACTIVITY_TASK_STARTED', { scheduledEventId: scheduled, attempt: 1 });
      add('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { scheduledEventId: scheduled, startedEventId: started, result: payloads(step.activity.result) });
    } else {
      const child = { namespace: 'default', workflowType: { name: step.child.type } };
      const execution = { workflowId: step.child.workflowId, runId: 'child-run-1' };
      const initiated = add('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED', {
        ...child,
        workflowId: step.child.workflowId,
        taskQueue: TASK_QUEUE,
        input: payloads(o.input),
        workflowTaskCompletedEventId: lastTask,
      });
      const started = add('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED', { ...child, initiatedEventId: initiated, workflowExecution: execution });
      lastTask = task();
      add('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED', { ...child, initiatedEventId: initiated, startedEventId: started, workflowExecution: execution, result: payloads(step.child.result) });
    }
    lastTask = task();
  });
  if ('result' in o.outcome) {
    add('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', { result: payloads(o.outcome.result), workflowTaskCompletedEventId: lastTask });
  } else if ('failure' in o.outcome) {
    add('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', {
      failure: { message: o.outcome.failure.message, applicationFailureInfo: { type: o.outcome.failure.type, nonRetryable: true } },
      workflowTaskCompletedEventId: lastTask,
    });
  } else {
    add('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', {
      newExecutionRunId: 'run-2',
      workflowType: { name: o.workflowType },
      taskQueue: TASK_QUEUE,
      input: payloads(o.outcome.continueAsNew.input),
      workflowTaskTimeout: { seconds: 10 },
      workflowTaskCompletedEventId: lastTask,
    });
  }
  return temporal.api.history.v1.History.fromObject({ events });
}

/** started → update accepted + completed (with its own header) → completed, all in the first workflow task. */
export function buildUpdateHistory(o: { updateName: string; arg: string; result: string; header?: Record<string, string> }): unknown {
  const meta = { updateId: 'update-1', identity: 'test-client' };
  const events = [
    { eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', workflowExecutionStartedEventAttributes: { workflowType: { name: 'approvable' }, taskQueue: TASK_QUEUE, input: payloads(), workflowTaskTimeout: { seconds: 10 }, originalExecutionRunId: 'run-1', firstExecutionRunId: 'run-1', attempt: 1 } },
    { eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', workflowTaskScheduledEventAttributes: { taskQueue: TASK_QUEUE, startToCloseTimeout: { seconds: 10 }, attempt: 1 } },
    { eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', workflowTaskStartedEventAttributes: { scheduledEventId: 2 } },
    { eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
    {
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      workflowExecutionUpdateAcceptedEventAttributes: {
        protocolInstanceId: meta.updateId,
        acceptedRequestMessageId: 'update-1/request',
        acceptedRequestSequencingEventId: 2,
        acceptedRequest: { meta, input: { name: o.updateName, args: payloads(o.arg), ...(o.header ? { header: traceHeader(o.header) } : {}) } },
      },
    },
    { eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', workflowExecutionUpdateCompletedEventAttributes: { meta, acceptedEventId: 5, outcome: { success: payloads(o.result) } } },
    { eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', workflowExecutionCompletedEventAttributes: { result: payloads(o.arg), workflowTaskCompletedEventId: 4 } },
  ].map((event, index) => ({ eventId: index + 1, eventTime: { seconds: 1_700_000_001 + index }, ...event }));
  return temporal.api.history.v1.History.fromObject({ events });
}
