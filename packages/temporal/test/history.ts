import { createRequire } from 'node:module';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

// History.fromObject from @temporalio/proto itself: historyFromJSON trips over a second protobufjs copy (UPSTREAM.md).
const require = createRequire(import.meta.url);
const { temporal } = require('@temporalio/proto') as typeof import('@temporalio/proto');

const TASK_QUEUE = { name: 'threadline-replay' };
const payloads = (...values: unknown[]) => ({ payloads: values.map((v) => defaultPayloadConverter.toPayload(v)) });
export const traceHeader = (carrier: Record<string, string>) => ({ fields: { '_tracer-data': defaultPayloadConverter.toPayload(carrier) as Payload } });

export interface HistoryOptions {
  workflowType: string;
  input: string;
  /** Header on WorkflowExecutionStarted (what a traced client sends). */
  startHeader?: Record<string, string>;
  /** A signal delivered in the first workflow task, with its own header. */
  signal?: { name: string; arg: string; header?: Record<string, string> };
  activityResult: string;
  /** Completed with this result, or failed with this ApplicationFailure. */
  outcome: { result: string } | { failure: { message: string; type: string } };
}

/** A hand-written history: started → activity scheduled / started / completed → completed or failed. */
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
  const firstTask = task();
  const activity = add('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
    activityId: '1',
    activityType: { name: 'hello' },
    taskQueue: TASK_QUEUE,
    input: payloads(o.input),
    startToCloseTimeout: { seconds: 60 },
    workflowTaskCompletedEventId: firstTask,
  });
  const activityStarted = add('EVENT_TYPE_ACTIVITY_TASK_STARTED', { scheduledEventId: activity, attempt: 1 });
  add('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { scheduledEventId: activity, startedEventId: activityStarted, result: payloads(o.activityResult) });
  const lastTask = task();
  if ('result' in o.outcome) {
    add('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', { result: payloads(o.outcome.result), workflowTaskCompletedEventId: lastTask });
  } else {
    add('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', {
      failure: { message: o.outcome.failure.message, applicationFailureInfo: { type: o.outcome.failure.type, nonRetryable: true } },
      workflowTaskCompletedEventId: lastTask,
    });
  }
  return temporal.api.history.v1.History.fromObject({ events });
}
