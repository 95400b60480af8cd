import { KIND } from '../semconv.js';
import { WORKFLOW_MODULE_MARKER } from './marker.js';
import { traced } from './traced.js';
import type { WorkflowTracer } from './tracer.js';

type AttributeValue = string | number | boolean;

export interface WorkflowSpanOptions {
  /** Span attributes; use your own namespace, never workflow inputs you would not log. */
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** The trace ids the workflow code runs under (for logs, or to hand to a system that is not Temporal). */
export interface WorkflowTraceIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

// On the sandbox's globalThis: Temporal keeps one set of globals per workflow, even on a reused
// V8 context, so this finds the tracer of the workflow that is running now. Keyed by the module
// marker, which keeps the marker in every bundle that holds this module (TemporalPlugin's check).
const TRACER_SLOT = Symbol.for(WORKFLOW_MODULE_MARKER);
type Slot = { [TRACER_SLOT]?: WorkflowTracer };

export function registerWorkflowTracer(tracer: WorkflowTracer): void {
  (globalThis as Slot)[TRACER_SLOT] = tracer;
}

function currentTracer(): WorkflowTracer | undefined {
  return (globalThis as Slot)[TRACER_SLOT];
}

/**
 * Runs `fn` inside an INTERNAL span named `name`, child of the span the workflow code runs under.
 * Workflow-safe: ids come from a named deterministic random stream and times from the workflow
 * clock, so a replay makes the same span, and replays export nothing (no duplicates). Activities,
 * child workflows and nested withSpan calls started inside `fn` become its children. Without the
 * threadline worker interceptors (or outside a workflow) `fn` simply runs.
 */
export function withSpan<T>(name: string, fn: () => T | Promise<T>, options: WorkflowSpanOptions = {}): Promise<T> {
  const tracer = currentTracer();
  const body = (): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  if (!tracer) return body();
  return traced(tracer, () => tracer.startSpan(String(name), KIND.INTERNAL, { ...copyAttributes(options.attributes) }, tracer.active(), tracer.inQuery()), body);
}

/** The active span's ids inside workflow code, or undefined when threadline is not tracing it. */
export function workflowTraceIds(): WorkflowTraceIds | undefined {
  try {
    const ref = currentTracer()?.active();
    return ref ? { traceId: ref.traceId, spanId: ref.spanId, traceFlags: ref.traceFlags } : undefined;
  } catch {
    return undefined;
  }
}

function copyAttributes(attributes: WorkflowSpanOptions['attributes']): Record<string, AttributeValue> {
  const copy: Record<string, AttributeValue> = {};
  if (!attributes || typeof attributes !== 'object') return copy;
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') copy[key] = value;
  }
  return copy;
}
