import { TraceFlags, type Span } from '@opentelemetry/api';

/** The latest value recorded into one histogram bucket while a sampled span was active. */
export interface Exemplar {
  /** Index of the bucket (0 … boundaries.length; the last is +Inf). */
  readonly bucket: number;
  readonly value: number;
  /** Wall-clock milliseconds, to within EXEMPLAR_CLOCK_MS. */
  readonly timeMs: number;
  readonly traceId: string;
  readonly spanId: string;
}

/** How stale an exemplar's timestamp may be: a Date.now() per record costs ~100 ns on some hosts, more than the rest of the record path. */
export const EXEMPLAR_CLOCK_MS = 100;
let coarseNow = 0;
let clock: ReturnType<typeof setInterval> | undefined;

/** Wall-clock milliseconds to within EXEMPLAR_CLOCK_MS, from a timer started on the first exemplar (unref'd: it never keeps the process alive). */
function exemplarNow(): number {
  if (clock === undefined) {
    coarseNow = Date.now();
    clock = setInterval(() => (coarseNow = Date.now()), EXEMPLAR_CLOCK_MS);
    clock.unref?.();
  }
  return coarseNow;
}

/**
 * One exemplar slot per bucket, overwritten by the next sampled record: bounded by the bucket
 * count. The slots are allocated on the first sampled record, so a series that never sees a
 * sampled span costs nothing, and writing a slot stores numbers and existing id strings only.
 */
export class ExemplarSlots {
  private values: Float64Array | undefined;
  private times: Float64Array | undefined;
  private traceIds: (string | undefined)[] = [];
  private spanIds: (string | undefined)[] = [];

  constructor(private readonly buckets: number) {}

  /** Keeps `value` as the bucket's exemplar when `span` is sampled; otherwise does nothing. */
  offer(bucket: number, value: number, span: Pick<Span, 'spanContext'>): void {
    const context = span.spanContext();
    if ((context.traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.values === undefined) {
      this.values = new Float64Array(this.buckets);
      this.times = new Float64Array(this.buckets);
      this.traceIds = new Array<string | undefined>(this.buckets).fill(undefined);
      this.spanIds = new Array<string | undefined>(this.buckets).fill(undefined);
    }
    this.values[bucket] = value;
    (this.times as Float64Array)[bucket] = exemplarNow();
    this.traceIds[bucket] = context.traceId;
    this.spanIds[bucket] = context.spanId;
  }

  /** The kept exemplars, lowest bucket first (a copy: read at export time, not on the hot path). */
  list(): Exemplar[] {
    const out: Exemplar[] = [];
    if (this.values === undefined) return out;
    for (let bucket = 0; bucket < this.buckets; bucket++) {
      const traceId = this.traceIds[bucket];
      const spanId = this.spanIds[bucket];
      if (traceId === undefined || spanId === undefined) continue;
      out.push({ bucket, value: this.values[bucket] as number, timeMs: (this.times as Float64Array)[bucket] as number, traceId, spanId });
    }
    return out;
  }
}
