import { createTraceState, diag, ROOT_CONTEXT, trace, type Context, type Tracer } from '@opentelemetry/api';
import type { WorkflowInfo } from '@temporalio/workflow';
import { ATTR, countDropped, recordSpanError, RESULT, TelemetryBoundary, type RecordErrorOptions } from '@threadline/core';
import { withPendingIds } from './id-generator.js';
import { temporalMetrics } from './metrics.js';
import { TEMPORAL_ATTR } from './semconv.js';
import type { SandboxSpanData } from './span-data.js';

const HEX_TRACE = /^[0-9a-f]{32}$/;
const HEX_SPAN = /^[0-9a-f]{16}$/;

/**
 * The worker side of the tracing sink: turns a span finished inside the sandbox into a real span
 * of the user's tracer, with the ids the sandbox already propagated (see temporalIdGenerator).
 */
export function createSpanRecreator(
  getTracer: () => Tracer | undefined,
  getRecordError: () => RecordErrorOptions = () => ({}),
): (info: WorkflowInfo, data: SandboxSpanData) => void {
  const boundary = new TelemetryBoundary('temporal workflow sink');
  let warnedIds = false;
  return (_info, data) => {
    boundary.run(() => {
      if (!isValid(data)) {
        countDropped('bad_workflow_span');
        return;
      }
      const tracer = getTracer();
      if (!tracer) return;
      recordWorkflowRun(data);
      const parent = parentContext(data);
      const { value: span, honored } = withPendingIds(data.traceId, data.spanId, () =>
        tracer.startSpan(data.name, { kind: data.kind, startTime: data.startTime, attributes: data.attributes }, parent),
      );
      if (!honored && span.isRecording()) {
        countDropped('workflow_span_id_mismatch');
        if (!warnedIds) {
          warnedIds = true;
          diag.warn('threadline: workflow spans got new ids, so activities started from workflows lose their parent. Pass idGenerator: temporalIdGenerator() to your TracerProvider or NodeSDK.');
        }
      }
      if (data.error) {
        const error = new Error(data.error.message ?? data.error.type);
        error.name = data.error.type;
        error.stack = `${data.error.type}: ${error.message}`;
        recordSpanError(span, error, data.error.type, getRecordError());
      }
      span.end(data.endTime);
    }, undefined);
  };
}

function parentContext(data: SandboxSpanData): Context {
  if (!data.parentSpanId) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: data.traceId,
    spanId: data.parentSpanId,
    traceFlags: data.traceFlags,
    isRemote: true,
    ...(data.traceState ? { traceState: createTraceState(data.traceState) } : {}),
  });
}

function recordWorkflowRun(data: SandboxSpanData): void {
  const run = data.workflowRun;
  if (!run) return;
  const metrics = temporalMetrics();
  const result = run.result === 'error' ? RESULT.ERROR : RESULT.OK;
  metrics.workflowRuns.bind({ [TEMPORAL_ATTR.WORKFLOW_TYPE]: run.workflowType, [TEMPORAL_ATTR.RESULT]: result, [ATTR.ERROR_TYPE]: run.errorType }).add(1);
  metrics.workflowRunDuration.bind({ [TEMPORAL_ATTR.WORKFLOW_TYPE]: run.workflowType }).record(Math.max(0, data.endTime - data.startTime) / 1000);
}

function isValid(data: SandboxSpanData): boolean {
  return (
    data !== null &&
    typeof data === 'object' &&
    typeof data.name === 'string' &&
    typeof data.kind === 'number' &&
    typeof data.attributes === 'object' &&
    HEX_TRACE.test(data.traceId) &&
    HEX_SPAN.test(data.spanId) &&
    (data.parentSpanId === undefined || HEX_SPAN.test(data.parentSpanId)) &&
    Number.isFinite(data.startTime) &&
    Number.isFinite(data.endTime)
  );
}
