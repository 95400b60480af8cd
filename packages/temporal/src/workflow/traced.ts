import { ContinueAsNew } from '@temporalio/workflow';
import { failureMessage, failureType, isBenign } from '../failure.js';
import { TEMPORAL_ATTR } from '../semconv.js';
import type { SandboxSpan, WorkflowTracer } from './tracer.js';

/**
 * Runs `body` with the span active and ends the span when the returned promise settles. `body`
 * is called synchronously (no await before `next()`), and any fault of ours falls back to the
 * plain call, so tracing can neither reorder nor fail workflow code.
 */
export function traced<T>(
  tracer: WorkflowTracer,
  start: () => SandboxSpan,
  body: (span: SandboxSpan | undefined) => Promise<T>,
  workflowType?: string,
): Promise<T> {
  let span: SandboxSpan | undefined;
  try {
    span = start();
  } catch {
    span = undefined;
  }
  if (!span) return body(undefined);
  const active = span;
  let result: Promise<T>;
  try {
    result = tracer.run(active, () => body(active));
  } catch (error) {
    finish(active, error, true, workflowType);
    throw error;
  }
  return result.then(
    (value) => {
      finish(active, undefined, false, workflowType);
      return value;
    },
    (error: unknown) => {
      finish(active, error, true, workflowType);
      throw error;
    },
  );
}

function finish(span: SandboxSpan, error: unknown, failed: boolean, workflowType: string | undefined): void {
  try {
    const continued = failed && error instanceof ContinueAsNew;
    if (continued) span.attributes[TEMPORAL_ATTR.CONTINUED_AS_NEW] = true;
    const isError = failed && !continued && !isBenign(error);
    const type = failed && !continued ? failureType(error) : undefined;
    const message = isError ? failureMessage(error) : undefined;
    const run = workflowType === undefined ? undefined : { workflowType, result: isError ? ('error' as const) : ('ok' as const), ...(isError && type ? { errorType: type } : {}) };
    span.end(isError && type ? { type, ...(message === undefined ? {} : { message }) } : undefined, run);
  } catch {
    // Telemetry never breaks the workflow.
  }
}

/** Adds our header to outbound headers; on any fault the call goes out with the headers it had. */
export function withHeader<H>(tracer: WorkflowTracer, headers: H, span: SandboxSpan | undefined): H {
  if (!span) return headers;
  try {
    return tracer.headersWith(headers as never, span) as H;
  } catch {
    return headers;
  }
}
