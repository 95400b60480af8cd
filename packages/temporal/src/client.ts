import { SpanKind, type Attributes } from '@opentelemetry/api';
import type {
  Next,
  WorkflowCancelInput,
  WorkflowClientInterceptor,
  WorkflowQueryInput,
  WorkflowSignalInput,
  WorkflowSignalWithStartInput,
  WorkflowStartInput,
  WorkflowStartUpdateInput,
  WorkflowStartUpdateWithStartInput,
  WorkflowTerminateInput,
} from '@temporalio/client';
import { ATTR, countDropped, recordSpanError, RESULT, runOperation, type Operation } from '@threadline/core';
import { failureType } from './failure.js';
import { headersWithContext } from './header.js';
import type { TemporalInstrumentation } from './instrumentation.js';
import { temporalMetrics } from './metrics.js';
import { SPAN_PREFIX, TEMPORAL_ATTR, spanName } from './semconv.js';

type Call<T> = (operation: Operation | undefined) => Promise<T>;

/**
 * Client calls as CLIENT spans `{Op}:{target}`; the ones that carry headers get `_tracer-data`
 * so the workflow continues this trace. Terminate and cancel carry no header (the API has none).
 */
export function workflowClientInterceptor(instrumentation: TemporalInstrumentation): WorkflowClientInterceptor {
  function call<T>(operationName: string, name: string, attributes: Attributes, body: Call<T>): Promise<T> {
    const tracer = instrumentation.tracer;
    if (!tracer) return body(undefined);
    return runOperation(tracer, { name, kind: SpanKind.CLIENT, attributes }, body, (operation, error, failed) => {
      try {
        const type = failed ? failureType(error) : undefined;
        if (operation.span && type) recordSpanError(operation.span, error, type, instrumentation.recordError);
        operation.end(undefined, false);
        temporalMetrics()
          .clientDuration.bind({ [TEMPORAL_ATTR.OPERATION]: operationName, [TEMPORAL_ATTR.RESULT]: failed ? RESULT.ERROR : RESULT.OK, [ATTR.ERROR_TYPE]: type })
          .record(operation.elapsedSeconds(), operation.span);
      } catch {
        countDropped('internal_error');
      }
    });
  }
  const inject = <H extends WorkflowStartInput['headers']>(headers: H, operation: Operation | undefined): H =>
    operation ? (headersWithContext(headers, operation.context) as H) : headers;

  return {
    startWithDetails(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'startWithDetails'>) {
      return call('start', spanName(SPAN_PREFIX.START_WORKFLOW, input.workflowType), startAttributes(input.workflowType, input.options), (op) =>
        next({ ...input, headers: inject(input.headers, op) }),
      );
    },
    signalWithStart(input: WorkflowSignalWithStartInput, next: Next<WorkflowClientInterceptor, 'signalWithStart'>) {
      const attributes = { ...startAttributes(input.workflowType, input.options), [TEMPORAL_ATTR.SIGNAL_NAME]: input.signalName };
      return call('signal_with_start', spanName(SPAN_PREFIX.SIGNAL_WITH_START, input.workflowType), attributes, (op) =>
        next({ ...input, headers: inject(input.headers, op) }),
      );
    },
    startUpdateWithStart(input: WorkflowStartUpdateWithStartInput, next: Next<WorkflowClientInterceptor, 'startUpdateWithStart'>) {
      const attributes = { ...startAttributes(input.workflowType, input.workflowStartOptions), [TEMPORAL_ATTR.UPDATE_NAME]: input.updateName };
      return call('update_with_start', spanName(SPAN_PREFIX.UPDATE_WITH_START, input.workflowType), attributes, (op) =>
        next({ ...input, workflowStartHeaders: inject(input.workflowStartHeaders, op), updateHeaders: inject(input.updateHeaders, op) }),
      );
    },
    signal(input: WorkflowSignalInput, next: Next<WorkflowClientInterceptor, 'signal'>) {
      const attributes = { ...executionAttributes(input.workflowExecution), [TEMPORAL_ATTR.SIGNAL_NAME]: input.signalName };
      return call('signal', spanName(SPAN_PREFIX.SIGNAL, input.signalName), attributes, (op) => next({ ...input, headers: inject(input.headers, op) }));
    },
    query(input: WorkflowQueryInput, next: Next<WorkflowClientInterceptor, 'query'>) {
      const attributes = { ...executionAttributes(input.workflowExecution), [TEMPORAL_ATTR.QUERY_TYPE]: input.queryType };
      return call('query', spanName(SPAN_PREFIX.QUERY, input.queryType), attributes, (op) => next({ ...input, headers: inject(input.headers, op) }));
    },
    startUpdate(input: WorkflowStartUpdateInput, next: Next<WorkflowClientInterceptor, 'startUpdate'>) {
      const attributes = { ...executionAttributes(input.workflowExecution), [TEMPORAL_ATTR.UPDATE_NAME]: input.updateName };
      return call('update', spanName(SPAN_PREFIX.UPDATE, input.updateName), attributes, (op) => next({ ...input, headers: inject(input.headers, op) }));
    },
    terminate(input: WorkflowTerminateInput, next: Next<WorkflowClientInterceptor, 'terminate'>) {
      return call('terminate', SPAN_PREFIX.TERMINATE, executionAttributes(input.workflowExecution), () => next(input));
    },
    cancel(input: WorkflowCancelInput, next: Next<WorkflowClientInterceptor, 'cancel'>) {
      return call('cancel', SPAN_PREFIX.CANCEL, executionAttributes(input.workflowExecution), () => next(input));
    },
  };
}

function startAttributes(workflowType: string, options: { workflowId: string; taskQueue: string }): Attributes {
  return { [TEMPORAL_ATTR.WORKFLOW_TYPE]: workflowType, [TEMPORAL_ATTR.WORKFLOW_ID]: options.workflowId, [TEMPORAL_ATTR.TASK_QUEUE]: options.taskQueue };
}

function executionAttributes(execution: { workflowId?: string; runId?: string } | undefined): Attributes {
  return {
    ...(execution?.workflowId ? { [TEMPORAL_ATTR.WORKFLOW_ID]: execution.workflowId } : {}),
    ...(execution?.runId ? { [TEMPORAL_ATTR.RUN_ID]: execution.runId } : {}),
  };
}
