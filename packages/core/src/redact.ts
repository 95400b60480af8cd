/** The value semconv puts in place of URL credentials and sensitive query values. */
export const REDACTED = 'REDACTED';

/**
 * Query parameter names whose values every threadline HTTP span (fetch client, node:http client
 * and server) records as `REDACTED`. Compared case-insensitively and ignoring `-` and `_`, so
 * `api_key` also covers `apiKey`, `API-KEY` and `apikey`. Sources: semconv's URL attributes,
 * instrumentation-http's defaults, OAuth 2.0 / OIDC (RFC 6749, 6750), AWS SigV4, Google Cloud
 * Storage and Azure SAS signed URLs, and the usual session and password parameter names.
 */
export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = Object.freeze([
  // semconv url.full / url.query and @opentelemetry/instrumentation-http
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  // Google Cloud Storage V4 signed URLs
  'X-Goog-Credential',
  // OAuth 2.0 and OpenID Connect
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'client_secret',
  'client_assertion',
  // API keys and tokens
  'token',
  'auth_token',
  'api_key',
  'key',
  'access_key',
  'secret_key',
  'private_key',
  'secret',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'signature',
  // passwords
  'password',
  'passwd',
  'pwd',
  'passphrase',
  // sessions
  'session',
  'session_id',
  'sid',
  'jsessionid',
  'phpsessid',
  'csrf_token',
  'xsrf_token',
]);

function fail(owner: string): never {
  throw new TypeError(`${owner}: redactedQueryParams must be an array of query parameter names, e.g. [...DEFAULT_REDACTED_QUERY_PARAMS, 'ticket']`);
}

/**
 * The effective list for a `redactedQueryParams` option: the default when not given, else the
 * given array, which replaces it (spread DEFAULT_REDACTED_QUERY_PARAMS into it to extend).
 */
export function resolveRedactedQueryParams(option: unknown, owner: string): readonly string[] {
  if (option === undefined) return DEFAULT_REDACTED_QUERY_PARAMS;
  if (!Array.isArray(option) || !option.every((name) => typeof name === 'string')) fail(owner);
  return Object.freeze([...(option as string[])]);
}

/** The comparison form of a parameter name: lower case, without `-` and `_`. */
export function queryParamKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Builds a redactor for a URL, path or bare `?query`: values of the named parameters become
 * `REDACTED`, everything else is kept byte for byte. Most queries name none of them: a scan that
 * compares each name's length and first letter (without `-` / `_`) with the list's lets those
 * through without splitting, decoding or allocating.
 */
export function queryRedactor(names: readonly string[]): (url: string) => string {
  const sensitive: ReadonlySet<string> = new Set(names.map(queryParamKey).filter((key) => key.length > 0));
  if (sensitive.size === 0) return (url) => url;
  // firstLetters[n]: bit i set when a key of length n (31 stands for 31 and longer) starts with
  // letter i (a–z; bit 26 for anything else). A non-ASCII key, whose length lowercasing can
  // change, sends every query the exact way.
  const firstLetters = new Int32Array(32);
  let exactOnly = false;
  for (const key of sensitive) {
    if (!isAscii(key)) exactOnly = true;
    firstLetters[Math.min(key.length, 31)]! |= letterBit(key.charCodeAt(0));
  }
  return (url) => {
    const question = url.indexOf('?');
    if (question === -1 || !(exactOnly || mayNameSensitive(url, question, firstLetters))) return url;
    return redactPairs(url, question, sensitive);
  };
}

function letterBit(code: number): number {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a ? 1 << (lower - 0x61) : 1 << 26;
}

/** True when some parameter name has a sensitive key's length and first letter (not counting `-` and `_`) or is percent-encoded. */
function mayNameSensitive(url: string, question: number, firstLetters: Int32Array): boolean {
  let length = 0;
  let first = 0;
  for (let i = question + 1; i <= url.length; i++) {
    const code = i === url.length ? 0x26 : url.charCodeAt(i);
    if (code === 0x3d /* = */) {
      if (length > 0 && (firstLetters[Math.min(length, 31)]! & letterBit(first)) !== 0) return true;
      // Skip the value.
      const next = url.indexOf('&', i);
      if (next === -1) return false;
      i = next;
      length = 0;
    } else if (code === 0x26 /* & */) length = 0;
    else if (code === 0x25 /* % */) return true;
    else if (code !== 0x2d /* - */ && code !== 0x5f /* _ */) {
      if (length === 0) first = code;
      length++;
    }
  }
  return false;
}

function redactPairs(url: string, question: number, sensitive: ReadonlySet<string>): string {
  const pairs = url.slice(question + 1).split('&');
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
    if (sensitive.has(queryParamKey(name))) {
      pairs[i] = `${pair.slice(0, equals)}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? `${url.slice(0, question + 1)}${pairs.join('&')}` : url;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
