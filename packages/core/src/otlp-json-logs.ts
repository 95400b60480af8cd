import { anyValue, list, nanos, otlpAttributes, otlpIdToHex, otlpServiceName } from './otlp-json.js';

/** One log record of an OTLP/JSON `LogsData` document or `ExportLogsServiceRequest` body. */
export interface OtlpJsonLogRecord {
  readonly serviceName: string | undefined;
  readonly scope: string | undefined;
  readonly timeUnixNano: bigint;
  readonly severityNumber: number;
  readonly severityText: string | undefined;
  readonly body: unknown;
  readonly attributes: Record<string, unknown>;
  /** Hex ids of the span the record was written in; empty outside a span. */
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number;
}

type Json = Record<string, unknown>;

/** Every log record of one document; span and metric documents yield none. Never throws. */
export function decodeOtlpJsonLogs(document: unknown): OtlpJsonLogRecord[] {
  const out: OtlpJsonLogRecord[] = [];
  if (document === null || typeof document !== 'object') return out;
  for (const rl of list((document as Json).resourceLogs)) {
    const serviceName = otlpServiceName(rl.resource);
    for (const sl of list(rl.scopeLogs)) {
      const scope = (sl.scope as Json | undefined)?.name;
      for (const r of list(sl.logRecords)) {
        const time = nanos(r.timeUnixNano);
        out.push({
          serviceName,
          scope: typeof scope === 'string' ? scope : undefined,
          timeUnixNano: time > 0n ? time : nanos(r.observedTimeUnixNano),
          severityNumber: Number(r.severityNumber ?? 0),
          severityText: typeof r.severityText === 'string' && r.severityText ? r.severityText : undefined,
          body: anyValue(r.body as Json | undefined),
          attributes: otlpAttributes(r.attributes),
          traceId: otlpIdToHex(r.traceId),
          spanId: otlpIdToHex(r.spanId),
          flags: Number(r.flags ?? 0),
        });
      }
    }
  }
  return out;
}
