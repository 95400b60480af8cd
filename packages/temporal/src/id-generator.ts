import { randomFillSync } from 'node:crypto';

/** The shape of the OTel SDK's IdGenerator (structural: this package depends on no SDK). */
export interface IdGeneratorLike {
  generateTraceId(): string;
  generateSpanId(): string;
}

interface PendingIds {
  traceId: string;
  spanId: string;
  honored: boolean;
}

// On globalThis so the ESM and CommonJS copies of this package share one slot.
const SLOT = Symbol.for('threadline.temporal.pendingIds');
type Slot = { [SLOT]?: PendingIds };

function randomHex(bytes: number): string {
  const buffer = randomFillSync(Buffer.alloc(bytes));
  if (buffer.every((b) => b === 0)) buffer[bytes - 1] = 1;
  return buffer.toString('hex');
}

const RANDOM: IdGeneratorLike = { generateTraceId: () => randomHex(16), generateSpanId: () => randomHex(8) };

/**
 * An IdGenerator for the OTel SDK's TracerProvider. It behaves like the default random one, except
 * while a workflow span from the sandbox is being re-created on the worker: then it hands out the
 * ids the sandbox already propagated to activities and child workflows, so their parents exist.
 */
export function temporalIdGenerator(base: IdGeneratorLike = RANDOM): IdGeneratorLike {
  if (typeof base?.generateTraceId !== 'function' || typeof base.generateSpanId !== 'function') {
    throw new TypeError('temporalIdGenerator(base): base must have generateTraceId() and generateSpanId()');
  }
  return {
    generateTraceId() {
      const pending = (globalThis as Slot)[SLOT];
      return pending ? pending.traceId : base.generateTraceId();
    },
    generateSpanId() {
      const pending = (globalThis as Slot)[SLOT];
      if (!pending) return base.generateSpanId();
      pending.honored = true;
      return pending.spanId;
    },
  };
}

/** Runs `fn` (a synchronous startSpan) with these ids pending; says whether the generator used them. */
export function withPendingIds<T>(traceId: string, spanId: string, fn: () => T): { value: T; honored: boolean } {
  const slot = globalThis as Slot;
  const pending: PendingIds = { traceId, spanId, honored: false };
  const previous = slot[SLOT];
  slot[SLOT] = pending;
  try {
    return { value: fn(), honored: pending.honored };
  } finally {
    slot[SLOT] = previous;
  }
}
