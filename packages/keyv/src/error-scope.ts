/**
 * Telling a store error from a miss. Keyv 6 catches store errors, emits `error` and answers as a
 * miss; Keyv 5 swallows them silently; adapters such as @keyv/redis catch their own failures and
 * emit `error`. threadline never adds an `error` listener (that changes whether calls throw):
 * it wraps `emit` and the store's methods on the objects themselves and notes what they see
 * against the Keyv call whose context is active, so concurrent calls never take each other's errors.
 */
import { context, createContextKey } from '@opentelemetry/api';
import { STORE_METHODS, type AnyFunction } from './keyv-shape.js';

/** One in-flight Keyv call's error slot. */
export class CallErrors {
  failed = false;
  error: unknown = undefined;

  note(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
  }
}

export const CALL_KEY = createContextKey('threadline.keyv.call');

function noteError(error: unknown): void {
  const call = context.active().getValue(CALL_KEY);
  if (call instanceof CallErrors) call.note(error);
}

const EMIT_WATCHED = Symbol.for('threadline.keyv.emit-watched');
const METHODS_WATCHED = Symbol.for('threadline.keyv.methods-watched');

/** Wraps `target.emit` (an own property, not a listener) to see every `error` it emits. */
export function watchEmitter(target: unknown): void {
  if (!markOnce(target, EMIT_WATCHED)) return;
  const emit = (target as { emit?: unknown }).emit;
  if (typeof emit !== 'function') return;
  const original = emit as AnyFunction;
  // Keyv emits on every call (stat:hit, stat:miss): pass `arguments` through, no rest array.
  define(target, 'emit', function watchedEmit(this: unknown, event: unknown, error?: unknown) {
    if (event === 'error') noteError(error);
    // eslint-disable-next-line prefer-rest-params
    return original.apply(this, arguments as unknown as unknown[]);
  });
}

/** Wraps the store's data methods so a throw or rejection is noted before Keyv swallows it. */
export function watchStoreMethods(store: unknown): void {
  if (store instanceof Map || !markOnce(store, METHODS_WATCHED)) return;
  for (const name of STORE_METHODS) {
    const method = (store as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    const original = method as AnyFunction;
    define(store, name, function watchedStoreMethod(this: unknown) {
      let result: unknown;
      try {
        // eslint-disable-next-line prefer-rest-params
        result = original.apply(this, arguments as unknown as unknown[]);
      } catch (error) {
        noteError(error);
        throw error;
      }
      if (result instanceof Promise) {
        return result.then(undefined, (error: unknown) => {
          noteError(error);
          throw error;
        });
      }
      return result;
    });
  }
}

/** True the first time `target` is marked with `tag`; false if marked before or not markable. */
function markOnce(target: unknown, tag: symbol): target is object {
  if (target === null || typeof target !== 'object') return false;
  try {
    if (Object.prototype.hasOwnProperty.call(target, tag) || !Object.isExtensible(target)) return false;
    Object.defineProperty(target, tag, { value: true, enumerable: false });
    return true;
  } catch {
    return false;
  }
}

function define(target: object, name: string, value: unknown): void {
  try {
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  } catch {
    // A sealed store keeps its own methods; its errors then surface only when the call rejects.
  }
}
