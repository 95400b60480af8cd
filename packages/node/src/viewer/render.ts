import { formatLogUnderSpan, type ViewLog } from './logs.js';
import type { ViewSpan } from './spans.js';

export interface Trace {
  readonly traceId: string;
  readonly spans: readonly ViewSpan[];
  readonly startNs: bigint;
  readonly endNs: bigint;
}

const BAR_WIDTH = 30;
const NAME_WIDTH_MAX = 60;

/** Groups spans by trace (a span seen twice counts once), newest trace first. */
export function groupTraces(spans: readonly ViewSpan[]): Trace[] {
  const byTrace = new Map<string, Map<string, ViewSpan>>();
  for (const span of spans) {
    let members = byTrace.get(span.traceId);
    if (!members) byTrace.set(span.traceId, (members = new Map()));
    members.set(span.spanId, span);
  }
  const traces: Trace[] = [];
  for (const [traceId, members] of byTrace) {
    const list = [...members.values()];
    const startNs = list.reduce((min, s) => (s.startNs < min ? s.startNs : min), list[0]?.startNs ?? 0n);
    const endNs = list.reduce((max, s) => (s.endNs > max ? s.endNs : max), list[0]?.endNs ?? 0n);
    traces.push({ traceId, spans: list, startNs, endNs });
  }
  return traces.sort((a, b) => (a.startNs === b.startNs ? 0 : a.startNs > b.startNs ? -1 : 1));
}

export function formatDuration(ns: bigint): string {
  const ms = Number(ns) / 1e6;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function bar(trace: Trace, span: ViewSpan): string {
  const total = Number(trace.endNs - trace.startNs) || 1;
  const offset = Math.min(BAR_WIDTH - 1, Math.floor((Number(span.startNs - trace.startNs) / total) * BAR_WIDTH));
  const length = Math.max(1, Math.min(BAR_WIDTH - offset, Math.round((Number(span.endNs - span.startNs) / total) * BAR_WIDTH)));
  return ' '.repeat(offset) + '█'.repeat(length) + ' '.repeat(BAR_WIDTH - offset - length);
}

function errorMark(span: ViewSpan): string {
  if (!span.error) return '';
  const detail = span.statusMessage ?? (span.attributes['error.type'] as string | undefined);
  return detail ? `  ✗ ${detail}` : '  ✗ error';
}

interface Row {
  readonly label: string;
  readonly span: ViewSpan;
  readonly depth: number;
}

/** Depth-first rows; spans whose parent is not in the file are shown as extra roots. */
function rows(trace: Trace): Row[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string | undefined, ViewSpan[]>();
  for (const span of trace.spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const siblings = children.get(parent) ?? [];
    siblings.push(span);
    children.set(parent, siblings);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => (a.startNs === b.startNs ? 0 : a.startNs < b.startNs ? -1 : 1));
  const out: Row[] = [];
  const visit = (span: ViewSpan, depth: number) => {
    const orphan = depth === 0 && span.parentSpanId ? ' ⤴' : '';
    out.push({ label: `${'  '.repeat(depth)}${depth > 0 ? '└ ' : ''}${span.name}${orphan}`, span, depth });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  return out;
}

function pad(text: string, width: number): string {
  const chars = [...text];
  return chars.length >= width ? chars.slice(0, width - 1).join('') + '…' : text + ' '.repeat(width - chars.length);
}

/**
 * One trace as an indented tree: name, service, kind, a bar placing the span in the trace, duration,
 * error mark; under each span, the log lines written in it (from `logsBySpan`).
 */
export function renderTrace(trace: Trace, logs: ReadonlyMap<string, readonly ViewLog[]> = new Map()): string {
  const list = rows(trace);
  const errors = trace.spans.filter((s) => s.error).length;
  const started = new Date(Number(trace.startNs / 1_000_000n)).toISOString();
  const header =
    `trace ${trace.traceId}  ${started}  ${formatDuration(trace.endNs - trace.startNs)}  ` +
    `${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}${errors > 0 ? `  ✗ ${errors} error${errors === 1 ? '' : 's'}` : ''}`;
  const nameWidth = Math.min(NAME_WIDTH_MAX, Math.max(...list.map((r) => [...r.label].length)) + 2);
  const serviceWidth = Math.max(...list.map((r) => r.span.service.length)) + 2;
  const lines = list.flatMap(({ label, span, depth }) => [
    `  ${pad(label, nameWidth)}${pad(span.service, serviceWidth)}${pad(span.kind, 9)} |${bar(trace, span)}| ` +
      `${formatDuration(span.endNs - span.startNs).padStart(9)}${errorMark(span)}`,
    ...(logs.get(span.spanId) ?? []).map((log) => `  ${'  '.repeat(depth + 1)}· ${formatLogUnderSpan(log)}`),
  ]);
  return [header, ...lines].join('\n');
}
