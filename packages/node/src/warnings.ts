const warned = new Set<string>();

/**
 * A default-level warning (a Node process warning of type ThreadlineWarning, printed unless the app
 * runs with --no-warnings), once per key for the life of the process.
 */
export function warnOnce(key: string, code: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { type: 'ThreadlineWarning', code });
}
