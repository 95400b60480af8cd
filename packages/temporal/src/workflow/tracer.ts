import type { Headers } from '@temporalio/common';
import { AsyncLocalStorage, defaultPayloadConverter, getRandomStream, proxySinks, type WorkflowRandomStream } from '@temporalio/workflow';
import { TRACE_HEADER } from '../semconv.js';
import { SINK_NAME, type SandboxSpanData, type TracingSinks } from '../span-data.js';
import { formatCarrier, parseCarrier, type ParentRef } from './w3c.js';

type Attributes = Record<string, string | number | boolean>;
type RunOutcome = NonNullable<SandboxSpanData['workflowRun']>;

const SAMPLED = 1;
// Named streams: span ids never consume the workflow's own Math.random sequence, and queries
// (absent from history) draw from their own stream so they cannot shift replayed ids.
const HISTORY_STREAM = 'threadline.tracing';
const QUERY_STREAM = 'threadline.tracing.query';
const MAX_HEADER_BYTES = 16384;

/** One span inside the sandbox; ends once, then goes to the worker through the sink. */
export class SandboxSpan {
  readonly ref: ParentRef;
  /** Started by a query handler (or inside one): ids come from the query stream, absent from history. */
  readonly query: boolean;
  private ended = false;

  constructor(
    private readonly tracer: WorkflowTracer,
    readonly name: string,
    readonly kind: number,
    readonly parent: ParentRef | undefined,
    readonly attributes: Attributes,
    readonly startTime: number,
    ids: { traceId: string; spanId: string },
    query = false,
  ) {
    this.query = query;
    this.ref = {
      traceId: ids.traceId,
      spanId: ids.spanId,
      traceFlags: parent ? parent.traceFlags : SAMPLED,
      ...(parent?.traceState ? { traceState: parent.traceState } : {}),
      ...(parent?.passThrough ? { passThrough: parent.passThrough } : {}),
    };
  }

  end(error?: { type: string; message?: string }, workflowRun?: RunOutcome): void {
    if (this.ended) return;
    this.ended = true;
    this.tracer.export({
      name: this.name,
      kind: this.kind,
      traceId: this.ref.traceId,
      spanId: this.ref.spanId,
      ...(this.parent ? { parentSpanId: this.parent.spanId } : {}),
      traceFlags: this.ref.traceFlags,
      ...(this.ref.traceState ? { traceState: this.ref.traceState } : {}),
      startTime: this.startTime,
      endTime: Date.now(),
      attributes: this.attributes,
      ...(error ? { error } : {}),
      ...(workflowRun ? { workflowRun } : {}),
    });
  }
}

/**
 * Per-workflow tracing state (the interceptor factory runs once per workflow, so nothing here is
 * shared between workflows on a reused V8 context).
 */
export class WorkflowTracer {
  private readonly als = new AsyncLocalStorage<SandboxSpan>();
  private readonly sink = proxySinks<TracingSinks>()[SINK_NAME];
  private readonly streams = new Map<string, WorkflowRandomStream>();
  runSpan: SandboxSpan | undefined;

  /** The span code is running under: the innermost traced call, else RunWorkflow. */
  active(): ParentRef | undefined {
    return this.als.getStore()?.ref ?? this.runSpan?.ref;
  }

  startSpan(name: string, kind: number, attributes: Attributes, parent: ParentRef | undefined, forQuery = false): SandboxSpan {
    const stream = forQuery ? QUERY_STREAM : HISTORY_STREAM;
    const traceId = parent?.traceId ?? this.randomHex(stream, 16);
    // Date.now() is the workflow clock here: identical on every replay.
    return new SandboxSpan(this, name, kind, parent, attributes, Date.now(), { traceId, spanId: this.randomHex(stream, 8) }, forQuery);
  }

  /** Whether code runs inside a query handler's span, whose ids must not draw from the history stream. */
  inQuery(): boolean {
    return this.als.getStore()?.query === true;
  }

  run<T>(span: SandboxSpan, fn: () => T): T {
    return this.als.run(span, fn);
  }

  fromHeaders(headers: Headers | undefined): ParentRef | undefined {
    try {
      const payload = headers?.[TRACE_HEADER];
      if (!payload || (payload.data?.length ?? 0) > MAX_HEADER_BYTES) return undefined;
      return parseCarrier(defaultPayloadConverter.fromPayload(payload));
    } catch {
      return undefined;
    }
  }

  headersWith(headers: Headers, span: SandboxSpan): Headers {
    return { ...headers, [TRACE_HEADER]: defaultPayloadConverter.toPayload(formatCarrier(span.ref)) };
  }

  export(data: SandboxSpanData): void {
    try {
      this.sink.export(data);
    } catch {
      // A missing sink (worker built without our helper) costs spans, never the workflow.
    }
  }

  dispose(): void {
    this.als.disable();
  }

  private randomHex(streamName: string, bytes: number): string {
    let stream = this.streams.get(streamName);
    if (!stream) {
      stream = getRandomStream(streamName);
      this.streams.set(streamName, stream);
    }
    const buffer = stream.fill(new Uint8Array(bytes));
    if (buffer.every((b) => b === 0)) buffer[bytes - 1] = 1;
    let hex = '';
    for (const b of buffer) hex += b.toString(16).padStart(2, '0');
    return hex;
  }
}
