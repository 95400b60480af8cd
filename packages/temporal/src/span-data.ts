/** What the workflow sandbox sends to the worker through the tracing sink: one finished span. */
export interface SandboxSpanData {
  readonly name: string;
  /** OTel SpanKind number. */
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  /** Workflow time, epoch milliseconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** Present when the span failed; absent for success and benign failures. */
  readonly error?: { readonly type: string; readonly message?: string };
  /** Set on RunWorkflow spans so the worker records the per-type workflow metrics. */
  readonly workflowRun?: { readonly workflowType: string; readonly result: 'ok' | 'error'; readonly errorType?: string };
}

export const SINK_NAME = 'threadlineTracing';

/** The sink the workflow interceptors call; `callDuringReplay: false` keeps replays from exporting twice. */
export type TracingSinks = {
  [SINK_NAME]: {
    export(span: SandboxSpanData): void;
  };
};
