import { decodeOtlpJsonSpans, type OtlpSpanKind } from '@threadline/core';
import { logsOfDocument, type ViewLog } from './logs.js';

/** A span as the viewer needs it, decoded from one OTLP-JSON `TracesData` line. */
export interface ViewSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanKindName;
  readonly service: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly error: boolean;
  readonly statusMessage: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export type SpanKindName = OtlpSpanKind;

/** Spans of one parsed line; metric lines and anything unrecognised yield none. */
export function spansOfDocument(document: unknown): ViewSpan[] {
  return decodeOtlpJsonSpans(document).map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    kind: s.kind,
    service: s.serviceName ?? 'unknown',
    startNs: s.startTimeUnixNano,
    endNs: s.endTimeUnixNano,
    error: s.statusCode === 'ERROR',
    statusMessage: s.statusMessage,
    attributes: s.attributes,
  }));
}

export interface ParsedLines {
  readonly spans: ViewSpan[];
  /** Log records (from `logs.jsonl` lines), oldest first within a file. */
  readonly logs: ViewLog[];
  /** Lines that are not JSON, e.g. the half-written last line of a file still being appended to. */
  readonly malformed: number;
}

export function parseLines(text: string): ParsedLines {
  const spans: ViewSpan[] = [];
  const logs: ViewLog[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let document: unknown;
    try {
      document = JSON.parse(line);
    } catch {
      malformed++;
      continue;
    }
    spans.push(...spansOfDocument(document));
    logs.push(...logsOfDocument(document));
  }
  return { spans, logs, malformed };
}
