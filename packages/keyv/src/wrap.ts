/**
 * Wraps Keyv's public methods, on the prototype (module patching) or on one instance (the
 * explicit wrapper): the same wrapper either way. Keyv's own hooks are not used for measuring:
 * they are awaited around the store call, cannot make a span active for it and see a store error
 * and a miss alike (both arrive as `after:get` with `undefined`).
 */
import type { AnyFunction, KeyvLike } from './keyv-shape.js';
import { ITERATOR_OP, OP_SPECS, type OpSpec } from './ops.js';
import type { KeyvTelemetry } from './telemetry.js';

export const TELEMETRY = Symbol.for('threadline.keyv.telemetry');
const ORIGINAL = Symbol.for('threadline.keyv.original');

export type TelemetryOf = (keyv: KeyvLike) => KeyvTelemetry | undefined;

type Wrapped = AnyFunction & { [ORIGINAL]?: AnyFunction };

export function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as Wrapped)[ORIGINAL] !== undefined;
}

export function originalOf(fn: unknown): unknown {
  return typeof fn === 'function' ? ((fn as Wrapped)[ORIGINAL] ?? fn) : fn;
}

function wrapOp(op: OpSpec, original: AnyFunction, telemetryOf: TelemetryOf): Wrapped {
  // Three fixed parameters cover every Keyv signature and avoid a rest array per call.
  const wrapped: Wrapped = function instrumentedKeyvCall(this: unknown, a?: unknown, b?: unknown, c?: unknown) {
    const telemetry = telemetryOf(this as KeyvLike);
    if (telemetry === undefined || (op.delegatesArrays && Array.isArray(a))) return original.call(this, a, b, c);
    return telemetry.run(this, op, original, a, b, c);
  };
  wrapped[ORIGINAL] = original;
  return wrapped;
}

function wrapIterator(original: AnyFunction, telemetryOf: TelemetryOf): Wrapped {
  const wrapped: Wrapped = function instrumentedKeyvIterator(this: unknown, ...args: unknown[]) {
    const telemetry = telemetryOf(this as KeyvLike);
    if (telemetry === undefined) return original.apply(this, args);
    return telemetry.iterate(this, ITERATOR_OP, original);
  };
  wrapped[ORIGINAL] = original;
  return wrapped;
}

/** Replaces each Keyv method found on `target` (a prototype or an instance) with its wrapper. */
export function wrapMethods(target: Record<string, unknown>, telemetryOf: TelemetryOf): void {
  for (const op of OP_SPECS) {
    const method = target[op.name];
    if (typeof method !== 'function' || isWrapped(method)) continue;
    define(target, op.name, wrapOp(op, method as AnyFunction, telemetryOf));
  }
  const iterator = target.iterator;
  if (typeof iterator === 'function' && !isWrapped(iterator)) define(target, 'iterator', wrapIterator(iterator as AnyFunction, telemetryOf));
}

/** Puts the originals back on a prototype. */
export function unwrapMethods(target: Record<string, unknown>): void {
  for (const name of [...OP_SPECS.map((op) => op.name), 'iterator']) {
    const method = target[name];
    if (isWrapped(method) && Object.prototype.hasOwnProperty.call(target, name)) define(target, name, originalOf(method));
  }
}

function define(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}
