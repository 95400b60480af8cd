import { isSpanContextValid, SpanKind, trace } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptors, ActivityOutboundCallsInterceptor, GetLogAttributesInput, Next } from '@temporalio/worker';
import { ATTR, countDropped, recordSpanError, RESULT, runOperation, type Operation, type RecordErrorOptions } from '@threadline/core';
import { failureType, isBenign } from './failure.js';
import { contextFromHeaders } from './header.js';
import type { TemporalInstrumentation } from './instrumentation.js';
import { temporalMetrics } from './metrics.js';
import { logCorrelation, SPAN_PREFIX, TEMPORAL_ATTR, spanName } from './semconv.js';

/**
 * RunActivity: a SERVER span, child of the StartActivity span in the `_tracer-data` header, active
 * while the activity body runs so its fetch / SQL / queue calls nest under it.
 */
export function activityInterceptorsFactory(instrumentation: TemporalInstrumentation): (ctx: ActivityContext) => ActivityInterceptors {
  return (ctx) => ({ inbound: new TracingActivityInbound(instrumentation, ctx), outbound: LOG_CORRELATION });
}

/** Activity logger records carry the ids of the active span (RunActivity or the user's own). */
const LOG_CORRELATION: ActivityOutboundCallsInterceptor = {
  getLogAttributes(input: GetLogAttributesInput, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const attributes = next(input);
    try {
      const span = trace.getActiveSpan()?.spanContext();
      return span && isSpanContextValid(span) ? { ...attributes, ...logCorrelation(span.traceId, span.spanId, span.traceFlags) } : attributes;
    } catch {
      return attributes;
    }
  },
};

class TracingActivityInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly instrumentation: TemporalInstrumentation,
    private readonly ctx: ActivityContext,
  ) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const tracer = this.instrumentation.tracer;
    if (!tracer) return next(input);
    const info = this.ctx.info;
    const type = info.activityType;
    const attributes = {
      [TEMPORAL_ATTR.ACTIVITY_TYPE]: type,
      [TEMPORAL_ATTR.ACTIVITY_ID]: info.activityId,
      [TEMPORAL_ATTR.ATTEMPT]: info.attempt,
      [TEMPORAL_ATTR.TASK_QUEUE]: info.taskQueue,
      [TEMPORAL_ATTR.NAMESPACE]: info.activityNamespace,
      [TEMPORAL_ATTR.ACTIVITY_LOCAL]: info.isLocal,
      ...(info.workflowType ? { [TEMPORAL_ATTR.WORKFLOW_TYPE]: info.workflowType } : {}),
      ...(info.workflowExecution ? { [TEMPORAL_ATTR.WORKFLOW_ID]: info.workflowExecution.workflowId, [TEMPORAL_ATTR.RUN_ID]: info.workflowExecution.runId } : {}),
    };
    const parent = contextFromHeaders(input.headers);
    return runOperation(tracer, { name: spanName(SPAN_PREFIX.RUN_ACTIVITY, type), kind: SpanKind.SERVER, attributes, parent }, () => next(input), (operation, error, failed) => {
      try {
        finishActivity(operation, type, error, failed, this.instrumentation.recordError);
      } catch {
        countDropped('internal_error');
      }
    });
  }
}

function finishActivity(operation: Operation, type: string, error: unknown, failed: boolean, recordError: RecordErrorOptions): void {
  const errorType = failed ? failureType(error) : undefined;
  if (operation.span && errorType !== undefined) {
    // Temporal's ApplicationFailure type beats the class name core would pick. A BENIGN failure is
    // not an error for the span (status unset), so it carries no `error.type` either.
    if (isBenign(error)) operation.span.setAttribute(TEMPORAL_ATTR.BENIGN_FAILURE, errorType);
    else recordSpanError(operation.span, error, errorType, recordError);
  }
  operation.end(undefined, false);
  const metrics = temporalMetrics();
  const result = failed ? RESULT.ERROR : RESULT.OK;
  metrics.activityRuns.bind({ [TEMPORAL_ATTR.ACTIVITY_TYPE]: type, [TEMPORAL_ATTR.RESULT]: result, [ATTR.ERROR_TYPE]: errorType }).add(1);
  metrics.activityRunDuration.bind({ [TEMPORAL_ATTR.ACTIVITY_TYPE]: type, [TEMPORAL_ATTR.RESULT]: result }).record(operation.elapsedSeconds(), operation.span);
}
