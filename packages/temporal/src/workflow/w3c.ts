/**
 * A fixed W3C trace-context codec for the workflow sandbox. The sandbox has no global OTel
 * propagator (it is a separate V8 context), so it reads and writes `traceparent` / `tracestate`
 * itself and passes every other carrier key (e.g. `baggage`) through untouched.
 */

export interface ParentRef {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  /** Carrier keys other than traceparent / tracestate, forwarded as received. */
  readonly passThrough?: Readonly<Record<string, string>>;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const MAX_KEYS = 32;
const MAX_VALUE = 4096;

export function parseCarrier(carrier: unknown): ParentRef | undefined {
  if (carrier === null || typeof carrier !== 'object' || Array.isArray(carrier)) return undefined;
  const entries = Object.entries(carrier as Record<string, unknown>);
  if (entries.length > MAX_KEYS) return undefined;
  let traceparent: string | undefined;
  let traceState: string | undefined;
  const passThrough: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || value.length > MAX_VALUE || key === '__proto__') continue;
    if (key === 'traceparent') traceparent = value;
    else if (key === 'tracestate') traceState = value;
    else passThrough[key] = value;
  }
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  if (!match || match[1] === 'ff') return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN || (version === '00' && rest)) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & 0xff,
    ...(traceState ? { traceState } : {}),
    ...(Object.keys(passThrough).length > 0 ? { passThrough } : {}),
  };
}

export function formatCarrier(ref: ParentRef): Record<string, string> {
  const carrier: Record<string, string> = { ...ref.passThrough };
  carrier.traceparent = `00-${ref.traceId}-${ref.spanId}-${(ref.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  if (ref.traceState) carrier.tracestate = ref.traceState;
  return carrier;
}
