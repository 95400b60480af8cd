/**
 * A tolerant reader of OTLP/JSON trace documents (`TracesData` lines, `ExportTraceServiceRequest`
 * bodies): the trace viewer CLI and the test receiver both read what the exporters wrote with it.
 */

export type OtlpSpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

export interface OtlpJsonSpan {
  readonly serviceName: string | undefined;
  readonly scope: string | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: OtlpSpanKind;
  readonly attributes: Record<string, unknown>;
  readonly statusCode: 'UNSET' | 'OK' | 'ERROR';
  readonly statusMessage: string | undefined;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly links: readonly { traceId: string; spanId: string }[];
  readonly events: readonly { name: string; attributes: Record<string, unknown> }[];
}

type Json = Record<string, unknown>;

const KINDS: readonly OtlpSpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'] as const;

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((item) => item !== null && typeof item === 'object') as Json[]) : [];
}

/** OTLP/JSON ids are hex (32 / 16 characters); other writers use base64 (24 / 12). */
export function otlpIdToHex(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) return '';
  if ((id.length === 32 || id.length === 16) && /^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

export function anyValue(value: Json | undefined): unknown {
  if (!value) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return list((value.arrayValue as Json | undefined)?.values).map(anyValue);
  if ('kvlistValue' in value) return otlpAttributes((value.kvlistValue as Json | undefined)?.values);
  if ('bytesValue' in value) return value.bytesValue;
  return undefined;
}

/** An OTLP `KeyValue[]` as a plain object. */
export function otlpAttributes(values: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(values)) if (typeof kv.key === 'string') out[kv.key] = anyValue(kv.value as Json | undefined);
  return out;
}

/** `service.name` of an OTLP resource, if any. */
export function otlpServiceName(resource: unknown): string | undefined {
  const name = otlpAttributes((resource as Json | undefined)?.attributes)['service.name'];
  return typeof name === 'string' ? name : undefined;
}

export function nanos(value: unknown): bigint {
  try {
    return BigInt(typeof value === 'number' ? Math.trunc(value) : String(value ?? 0));
  } catch {
    return 0n;
  }
}

/** Every span of one document; metric documents and anything unrecognised yield none. Never throws. */
export function decodeOtlpJsonSpans(document: unknown): OtlpJsonSpan[] {
  const out: OtlpJsonSpan[] = [];
  if (document === null || typeof document !== 'object') return out;
  for (const rs of list((document as Json).resourceSpans)) {
    const serviceName = otlpServiceName(rs.resource);
    for (const ss of list(rs.scopeSpans)) {
      const scope = (ss.scope as Json | undefined)?.name;
      for (const s of list(ss.spans)) {
        const status = (s.status as Json | undefined) ?? {};
        out.push({
          serviceName,
          scope: typeof scope === 'string' ? scope : undefined,
          traceId: otlpIdToHex(s.traceId),
          spanId: otlpIdToHex(s.spanId),
          parentSpanId: otlpIdToHex(s.parentSpanId) || undefined,
          name: typeof s.name === 'string' ? s.name : '(unnamed)',
          kind: KINDS[Number(s.kind ?? 0)] ?? 'UNSPECIFIED',
          attributes: otlpAttributes(s.attributes),
          statusCode: STATUS[Number(status.code ?? 0)] ?? 'UNSET',
          statusMessage: typeof status.message === 'string' && status.message ? status.message : undefined,
          startTimeUnixNano: nanos(s.startTimeUnixNano),
          endTimeUnixNano: nanos(s.endTimeUnixNano),
          links: list(s.links).map((l) => ({ traceId: otlpIdToHex(l.traceId), spanId: otlpIdToHex(l.spanId) })),
          events: list(s.events).map((e) => ({ name: String(e.name ?? ''), attributes: otlpAttributes(e.attributes) })),
        });
      }
    }
  }
  return out;
}
