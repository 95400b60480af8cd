import { decodeOtlpJsonLogs } from '@threadline/core';

/** A log record as the viewer needs it. */
export interface ViewLog {
  readonly traceId: string;
  readonly spanId: string;
  readonly timeNs: bigint;
  readonly level: string;
  readonly message: string;
  readonly service: string;
}

const MESSAGE_WIDTH = 120;
const LEVELS: readonly [number, string][] = [
  [21, 'FATAL'],
  [17, 'ERROR'],
  [13, 'WARN'],
  [9, 'INFO'],
  [5, 'DEBUG'],
  [1, 'TRACE'],
];

function levelName(severityNumber: number, severityText: string | undefined): string {
  const known = LEVELS.find(([from]) => severityNumber >= from);
  return known ? known[1] : (severityText ?? '-').toUpperCase();
}

function messageOf(body: unknown): string {
  const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MESSAGE_WIDTH ? `${oneLine.slice(0, MESSAGE_WIDTH - 1)}…` : oneLine;
}

/** Log records of one parsed line; span and metric lines yield none. */
export function logsOfDocument(document: unknown): ViewLog[] {
  return decodeOtlpJsonLogs(document).map((r) => ({
    traceId: r.traceId,
    spanId: r.spanId,
    timeNs: r.timeUnixNano,
    level: levelName(r.severityNumber, r.severityText),
    message: messageOf(r.body),
    service: r.serviceName ?? 'unknown',
  }));
}

function clock(timeNs: bigint): string {
  return new Date(Number(timeNs / 1_000_000n)).toISOString().slice(11, 23);
}

/** `12:00:00.123 INFO  message` as shown under a span. */
export function formatLogUnderSpan(log: ViewLog): string {
  return `${clock(log.timeNs)} ${log.level.padEnd(5)} ${log.message}`;
}

/** One line of `threadline logs`: time, level, service, trace / span ids (or `-`), message. */
export function formatLogLine(log: ViewLog): string {
  const ids = log.traceId ? `${log.traceId} ${log.spanId}` : '-'.padEnd(49);
  const time = new Date(Number(log.timeNs / 1_000_000n)).toISOString();
  return `${time} ${log.level.padEnd(5)} ${log.service}  ${ids}  ${log.message}`;
}

/** Records by the span they were written in, each list oldest first. */
export function logsBySpan(logs: readonly ViewLog[]): Map<string, ViewLog[]> {
  const out = new Map<string, ViewLog[]>();
  for (const log of logs) {
    if (!log.spanId) continue;
    const list = out.get(log.spanId) ?? [];
    list.push(log);
    out.set(log.spanId, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.timeNs === b.timeNs ? 0 : a.timeNs < b.timeNs ? -1 : 1));
  return out;
}
