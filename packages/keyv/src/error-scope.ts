/**
 * Telling a store error from a miss. Keyv 6 catches store errors, emits `error` and answers as a
 * miss; Keyv 5 swallows them silently; adapters such as @keyv/redis catch their own failures and
 * emit `error`. threadline never adds an `error` listener (that changes whether calls throw):
 * it wraps `emit` and the store's methods on the objects themselves and notes what they see
 * against the Keyv call that caused it, so concurrent calls never take each other's errors.
 *
 * Attribution is cheap when it can be: while a Keyv instance has at most one call in flight, that
 * call (the "solo" call) needs no async context, an error seen meanwhile is its error. Only a call
 * that starts while another is in flight pays for an error slot in its OTel context.
 */
import { context, createContextKey } from '@opentelemetry/api';
import { Call, type CallTracker } from './call.js';
import { STORE_METHODS, type AnyFunction } from './keyv-shape.js';

export const CALL_KEY = createContextKey('threadline.keyv.call');

/** The in-flight bookkeeping of one Keyv instance (kept on the instance, shared by re-instrumentation). */
export class ErrorTracker implements CallTracker {
  inFlight = 0;
  /** The call that started with nothing in flight and runs without an error slot. */
  solo: Call | undefined = undefined;
  /** The store is used by several Keyv instances: its errors can only be attributed by context. */
  shared = false;
  /** Reused by every solo call (one at a time, never put in a context): no allocation per call. */
  private readonly soloSlot = new Call(this);

  /** Starts a call; unless it became `solo`, a tracked call's slot must go into the context. */
  begin(): Call {
    if (this.inFlight++ > 0 || this.shared) return new Call(this);
    return (this.solo = this.soloSlot.reset());
  }

  end(call: Call): void {
    call.live = false;
    this.inFlight--;
    if (this.solo === call) this.solo = undefined;
  }

  note(error: unknown): void {
    const slot = context.active().getValue(CALL_KEY);
    if (slot instanceof Call && slot.live && (slot.tracker === this || this.shared)) slot.note(error);
    else if (!this.shared) this.solo?.note(error);
  }
}

const TRACKER = Symbol.for('threadline.keyv.error-tracker');

/** The tracker of a Keyv instance, created on first use; a non-extensible instance gets a private one. */
export function trackerOf(keyv: object): ErrorTracker {
  const existing = (keyv as { [TRACKER]?: unknown })[TRACKER];
  if (existing instanceof ErrorTracker) return existing;
  const tracker = new ErrorTracker();
  defineHidden(keyv, TRACKER, tracker);
  return tracker;
}

/**
 * Makes `store`'s errors count against `tracker`'s calls. A store already claimed by another
 * Keyv instance is shared: both instances then attribute by context only.
 */
export function claimStore(store: object, tracker: ErrorTracker): ErrorTracker {
  const owner = (store as { [TRACKER]?: unknown })[TRACKER];
  if (owner instanceof ErrorTracker) {
    if (owner !== tracker) owner.shared = tracker.shared = true;
    return owner;
  }
  if (!defineHidden(store, TRACKER, tracker)) tracker.shared = true;
  return tracker;
}

const EMIT_WATCHED = Symbol.for('threadline.keyv.emit-watched');
const METHODS_WATCHED = Symbol.for('threadline.keyv.methods-watched');

/** Wraps `target.emit` (an own property, not a listener) to see every `error` it emits. */
export function watchEmitter(target: unknown, tracker: ErrorTracker): void {
  if (!markOnce(target, EMIT_WATCHED)) return;
  const emit = (target as { emit?: unknown }).emit;
  if (typeof emit !== 'function') return;
  const original = emit as AnyFunction;
  // Keyv emits on every call (stat:hit, stat:miss): pass `arguments` through, no rest array.
  define(target, 'emit', function watchedEmit(this: unknown, event: unknown, error?: unknown) {
    if (event === 'error') tracker.note(error);
    // eslint-disable-next-line prefer-rest-params
    return original.apply(this, arguments as unknown as unknown[]);
  });
}

/** Wraps the store's data methods so a throw or rejection is noted before Keyv swallows it. */
export function watchStoreMethods(store: unknown, tracker: ErrorTracker): void {
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
        tracker.note(error);
        throw error;
      }
      if (result instanceof Promise) {
        return result.then(undefined, (error: unknown) => {
          tracker.note(error);
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
  if (Object.prototype.hasOwnProperty.call(target, tag)) return false;
  return defineHidden(target, tag, true);
}

function defineHidden(target: object, tag: symbol, value: unknown): boolean {
  try {
    if (!Object.isExtensible(target)) return false;
    Object.defineProperty(target, tag, { value, enumerable: false });
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
