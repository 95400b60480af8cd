import { context } from '@opentelemetry/api';
import { countDropped } from '@threadline/core';
import { metadataFor } from './carrier.js';
import { ProcessSpan } from './process-span.js';
import { PROCESS_KEY } from './span-base.js';

/** The job JSON BullMQ's sandbox sends to the child (`Job.asJSONSandbox()`), as far as we touch it. */
interface SandboxJson {
  opts?: { telemetry?: { metadata?: string; omitContext?: boolean } & Record<string, unknown>; tm?: string } & Record<string, unknown>;
}

/**
 * Where the carrier sits in the child's `job.opts`: bullmq 6 sends the options as they are
 * (`telemetry.metadata`); bullmq 5 sends them in their stored, compact form (`tm`).
 */
export type OptsForm = 'full' | 'compact';

/**
 * A sandboxed processor (a file BullMQ runs in a child process or worker thread) gets the job as
 * JSON; the only telemetry field that reaches it is BullMQ's own carrier (`opts.telemetry.metadata`,
 * bullmq 5: `opts.tm`), which holds the producer's context. Inside an attempt, this returns a copy
 * of that JSON whose carrier is the attempt's `process` span context instead, so `@threadline/bullmq/sandbox` in the child
 * runs the user's code as a child of the process span. The app's job, its `opts` and `data` are
 * not touched (copies only); outside a process span the JSON is returned as it came.
 */
export function withProcessCarrier<T>(json: T, form: OptsForm): T {
  try {
    const span = context.active().getValue(PROCESS_KEY);
    if (!(span instanceof ProcessSpan) || json === null || typeof json !== 'object') return json;
    const metadata = metadataFor(span.bodyContext);
    if (metadata === '') return json;
    const opts = (json as SandboxJson).opts ?? {};
    if (form === 'compact') return { ...json, opts: { ...opts, tm: metadata } } as T;
    return { ...json, opts: { ...opts, telemetry: { ...opts.telemetry, metadata } } } as T;
  } catch {
    // The job still goes to the child as BullMQ made it; only the child's parent span is lost.
    countDropped('internal_error');
    return json;
  }
}
