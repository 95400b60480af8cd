import { REDACTED } from './semconv.js';

/**
 * Builds the `url.full` path redactor for a set of sensitive query parameter names (compared
 * case-insensitively, also when percent-encoded). Most queries carry none of them: a scan that
 * only compares name lengths lets those through without splitting, decoding or allocating.
 */
export function queryRedactor(names: readonly string[]): (path: string) => string {
  const sensitive: ReadonlySet<string> = new Set(names.map((name) => name.toLowerCase()));
  if (sensitive.size === 0) return (path) => path;
  // Bit n: some sensitive name is n characters long (31 stands for 31 and longer). Lowercasing
  // a non-ASCII name can change its length, so such a name sends every query the exact way.
  let lengths = 0;
  for (const name of sensitive) lengths |= isAscii(name) ? 1 << Math.min(name.length, 31) : -1;
  return (path) => {
    const question = path.indexOf('?');
    if (question === -1 || !mayNameSensitive(path, question, lengths)) return path;
    return redactPairs(path, question, sensitive);
  };
}

/** True when some parameter name has a sensitive name's length or is percent-encoded. */
function mayNameSensitive(path: string, question: number, lengths: number): boolean {
  let start = question + 1;
  let equals = path.indexOf('=', start);
  let percent = path.indexOf('%', start);
  while (equals !== -1) {
    let end = path.indexOf('&', start);
    if (end === -1) end = path.length;
    if (equals < end && (((lengths >>> Math.min(equals - start, 31)) & 1) === 1 || (percent !== -1 && percent < equals))) return true;
    start = end + 1;
    if (equals < start) equals = path.indexOf('=', start);
    if (percent !== -1 && percent < start) percent = path.indexOf('%', start);
  }
  return false;
}

function redactPairs(path: string, question: number, sensitive: ReadonlySet<string>): string {
  const pairs = path.slice(question + 1).split('&');
  let changed = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] as string;
    const equals = pair.indexOf('=');
    if (equals === -1) continue;
    let name = pair.slice(0, equals);
    if (name.includes('%')) {
      try {
        name = decodeURIComponent(name);
      } catch {
        // a malformed escape is compared as written
      }
    }
    if (sensitive.has(name.toLowerCase())) {
      pairs[i] = `${pair.slice(0, equals)}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? `${path.slice(0, question + 1)}${pairs.join('&')}` : path;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
