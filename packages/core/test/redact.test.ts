import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, queryRedactor, resolveRedactedQueryParams } from '../src/index.js';

const redactQuery = queryRedactor(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature']);

describe('query redaction', () => {
  it('redacts sensitive query values case-insensitively, also when the name is percent-encoded', () => {
    expect(redactQuery('/a?Signature=x&AWSAccessKeyId=y&keep=z')).toBe('/a?Signature=REDACTED&AWSAccessKeyId=REDACTED&keep=z');
    expect(redactQuery('/a?SIG=1&%73ig=2')).toBe('/a?SIG=REDACTED&%73ig=REDACTED');
    expect(redactQuery('/a?sig&x=%zz')).toBe('/a?sig&x=%zz');
    const plain = '/a?x=1';
    expect(redactQuery(plain)).toBe(plain);
  });

  it('matches whole parameter names only, wherever the query puts them', () => {
    expect(redactQuery('/sig=1/a?xsig=1&sig2=2&Sig=3')).toBe('/sig=1/a?xsig=1&sig2=2&Sig=REDACTED');
    expect(redactQuery('/a?x=%20&sig=1')).toBe('/a?x=%20&sig=REDACTED');
    expect(redactQuery('/a?q=sig%3D1')).toBe('/a?q=sig%3D1');
    const custom = queryRedactor(['a.b', 'Jeton\u00e9']);
    expect(custom('/p?axb=1&A.B=2')).toBe('/p?axb=1&A.B=REDACTED');
    expect(custom('/p?JETONÉ=1&jetoné=2')).toBe('/p?JETONÉ=REDACTED&jetoné=REDACTED');
    expect(queryRedactor([])('/p?sig=1')).toBe('/p?sig=1');
    const long = 'x'.repeat(40);
    expect(queryRedactor([long])(`/p?${'y'.repeat(40)}=1&${long.toUpperCase()}=2&a`)).toBe(`/p?${'y'.repeat(40)}=1&${long.toUpperCase()}=REDACTED&a`);
  });

  it('compares names ignoring case, - and _ (api_key covers apiKey, API-KEY, apikey)', () => {
    const redact = queryRedactor(['api_key', 'X-Amz-Signature']);
    expect(redact('/p?apiKey=1&API-KEY=2&apikey=3&api__key=4&x_amz_signature=5&apikeys=6')).toBe(
      '/p?apiKey=REDACTED&API-KEY=REDACTED&apikey=REDACTED&api__key=REDACTED&x_amz_signature=REDACTED&apikeys=6',
    );
  });

  it('the length / first-letter prefilter lets no match through: leading separators, digits, long names', () => {
    expect(queryRedactor(['token'])('/p?_token=1&-Token-=2&tokens=3&page=4')).toBe('/p?_token=REDACTED&-Token-=REDACTED&tokens=3&page=4');
    expect(queryRedactor(['2fa_code'])('/p?2FA-code=1&2fb_code=2')).toBe('/p?2FA-code=REDACTED&2fb_code=2');
    const long = `k${'x'.repeat(40)}`;
    expect(queryRedactor([long])(`/p?K${'X'.repeat(40)}=1&k${'x'.repeat(39)}y=2`)).toBe(`/p?K${'X'.repeat(40)}=REDACTED&k${'x'.repeat(39)}y=2`);
  });

  it('the default list covers the credential parameters the issue and the ecosystem name', () => {
    const redact = queryRedactor(DEFAULT_REDACTED_QUERY_PARAMS);
    const names = ['token', 'access_token', 'refresh_token', 'id_token', 'api_key', 'apikey', 'key', 'secret', 'client_secret', 'password', 'passwd', 'pwd', 'auth', 'signature', 'sig', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'X-Goog-Signature', 'AWSAccessKeyId', 'code', 'sessionid', 'jsessionid'];
    const query = names.map((name, i) => `${name}=v${i}`).join('&');
    expect(redact(`/cb?${query}&page=2`)).toBe(`/cb?${names.map((name) => `${name}=REDACTED`).join('&')}&page=2`);
    expect(redact('https://h/p?page=2&sort=asc#sig=1')).toBe('https://h/p?page=2&sort=asc#sig=1');
  });

  it('an option replaces the list; a non-array is refused with an example', () => {
    expect(resolveRedactedQueryParams(undefined, 'x')).toBe(DEFAULT_REDACTED_QUERY_PARAMS);
    expect(resolveRedactedQueryParams(['ticket'], 'x')).toEqual(['ticket']);
    expect(() => resolveRedactedQueryParams('token', '@threadline/fetch')).toThrow(/@threadline\/fetch: redactedQueryParams must be an array.*DEFAULT_REDACTED_QUERY_PARAMS/);
  });
});
