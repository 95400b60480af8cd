/**
 * Wrapping a method once on a class prototype, shared by every instrumented instance of the class
 * and put back when the last one is released. What an app can inspect on its own objects (own
 * properties, listeners) stays as the library made it.
 */

export type AnyFn = (...args: unknown[]) => unknown;

type Wrappers = Record<string, (original: AnyFn) => AnyFn>;
interface Installed {
  users: number;
  restore: () => void;
}

// Per prototype, per wrapper set: the same prototype can carry several independent sets.
const installed = new WeakMap<object, Map<Wrappers, Installed>>();

/**
 * Wraps `names` on `prototype` (first user only) and returns the release of this user; the last
 * release restores the prototype unless something re-wrapped it meanwhile.
 */
export function useWrappedPrototype(prototype: object, wrappers: Wrappers): () => void {
  let sets = installed.get(prototype);
  if (sets === undefined) {
    sets = new Map();
    installed.set(prototype, sets);
  }
  let entry = sets.get(wrappers);
  if (entry === undefined) {
    const restores = Object.entries(wrappers).map(([name, wrap]) => replace(prototype, name, wrap));
    entry = { users: 0, restore: () => restores.forEach((restore) => restore()) };
    sets.set(wrappers, entry);
  }
  entry.users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const current = installed.get(prototype)?.get(wrappers);
    if (current === undefined || --current.users > 0) return;
    installed.get(prototype)?.delete(wrappers);
    current.restore();
  };
}

/** Shadows `prototype[name]` (its own method or the one it inherits, e.g. EventEmitter's `emit`) with a wrapper. */
function replace(prototype: object, name: string, wrap: (original: AnyFn) => AnyFn): () => void {
  const ownDescriptor = Object.getOwnPropertyDescriptor(prototype, name);
  const original = (prototype as Record<string, unknown>)[name];
  if (typeof original !== 'function') return () => undefined;
  const wrapped = wrap(original as AnyFn);
  Object.defineProperty(prototype, name, { value: wrapped, writable: true, configurable: true, enumerable: ownDescriptor?.enumerable ?? false });
  return () => {
    if ((prototype as Record<string, unknown>)[name] !== wrapped) return;
    if (ownDescriptor) Object.defineProperty(prototype, name, ownDescriptor);
    else delete (prototype as Record<string, unknown>)[name];
  };
}
