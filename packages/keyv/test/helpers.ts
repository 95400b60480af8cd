import { trace, type Span } from '@opentelemetry/api';
import { setupTelemetry, type TelemetryHarness } from '@threadline/testing';

export const harness: TelemetryHarness = setupTelemetry();

/** Runs `fn` inside an active parent span and ends it. */
export async function inParent<T>(fn: (parent: Span) => Promise<T>, name = 'request'): Promise<T> {
  return trace.getTracer('test').startActiveSpan(name, async (parent) => {
    try {
      return await fn(parent);
    } finally {
      parent.end();
    }
  });
}

/** threadline.kv.operations value for op/result (0 when the series does not exist). */
export async function kvCount(op: string, result: string, extra: Record<string, string> = {}): Promise<number> {
  const point = await harness.findMetricPoint<number>('threadline.kv.operations', { 'db.operation.name': op, 'threadline.result': result, ...extra });
  return point?.value ?? 0;
}

export class StoreDown extends Error {
  readonly code = 'ESTOREDOWN';
}

/**
 * A Keyv 6 / 5 compatible async store backed by a Map that throws `StoreDown` for keys in
 * `failing` (or for everything when `failAll`), and records the active span of each call.
 */
export function throwingStore(failing: ReadonlySet<string> = new Set(), failAll = false) {
  const data = new Map<string, unknown>();
  const seenSpans: Array<Span | undefined> = [];
  const check = (key: string) => {
    seenSpans.push(trace.getActiveSpan());
    if (failAll || [...failing].some((f) => key.endsWith(f))) throw new StoreDown(`store down for a key`);
  };
  return {
    seenSpans,
    data,
    async get(key: string) {
      check(key);
      return data.get(key);
    },
    async set(key: string, value: unknown) {
      check(key);
      data.set(key, value);
      return true;
    },
    async delete(key: string) {
      check(key);
      return data.delete(key);
    },
    async clear() {
      if (failAll) throw new StoreDown('store down');
      data.clear();
    },
    async has(key: string) {
      check(key);
      return data.has(key);
    },
  };
}
