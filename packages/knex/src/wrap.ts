export type Restore = () => void;

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Shadows `target[name]` with an own property on this one object (never a prototype): other
 * instances of the class stay untouched. Returns a function that puts the original back.
 */
export function wrapOwn(target: object, name: string, wrap: (original: AnyFn) => AnyFn): Restore {
  const slot = target as Record<string, unknown>;
  const original = slot[name];
  if (typeof original !== 'function') return () => undefined;
  const hadOwn = Object.prototype.hasOwnProperty.call(target, name);
  const wrapped = wrap(original as AnyFn);
  slot[name] = wrapped;
  return () => {
    if (slot[name] !== wrapped) return;
    if (hadOwn) slot[name] = original;
    else delete slot[name];
  };
}
