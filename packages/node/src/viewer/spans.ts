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

export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

const KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_ERROR = 2;

type Json = Record<string, unknown>;

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** OTLP/JSON ids are hex; tolerate base64 from other writers. */
function hexId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) return '';
  if (/^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function anyValue(value: Json | undefined): unknown {
  if (!value) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return list((value.arrayValue as Json | undefined)?.values).map(anyValue);
  return undefined;
}

function attributeMap(values: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(values)) if (typeof kv.key === 'string') out[kv.key] = anyValue(kv.value as Json | undefined);
  return out;
}

function nanos(value: unknown): bigint {
  try {
    return BigInt(typeof value === 'number' ? Math.trunc(value) : String(value ?? 0));
  } catch {
    return 0n;
  }
}

/** Spans of one parsed line; metric lines and anything unrecognised yield none. */
export function spansOfDocument(document: unknown): ViewSpan[] {
  const out: ViewSpan[] = [];
  if (document === null || typeof document !== 'object') return out;
  for (const rs of list((document as Json).resourceSpans)) {
    const resource = attributeMap((rs.resource as Json | undefined)?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    for (const ss of list(rs.scopeSpans)) {
      for (const s of list(ss.spans)) {
        const status = (s.status as Json | undefined) ?? {};
        out.push({
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: hexId(s.parentSpanId) || undefined,
          name: typeof s.name === 'string' ? s.name : '(unnamed)',
          kind: KINDS[Number(s.kind ?? 0)] ?? 'UNSPECIFIED',
          service,
          startNs: nanos(s.startTimeUnixNano),
          endNs: nanos(s.endTimeUnixNano),
          error: Number(status.code ?? 0) === STATUS_ERROR,
          statusMessage: typeof status.message === 'string' && status.message ? status.message : undefined,
          attributes: attributeMap(s.attributes),
        });
      }
    }
  }
  return out;
}

export interface ParsedLines {
  readonly spans: ViewSpan[];
  /** Lines that are not JSON, e.g. the half-written last line of a file still being appended to. */
  readonly malformed: number;
}

export function parseLines(text: string): ParsedLines {
  const spans: ViewSpan[] = [];
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
  }
  return { spans, malformed };
}
