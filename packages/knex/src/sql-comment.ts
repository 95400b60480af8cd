/**
 * The opt-in SQL commenter: a W3C `traceparent` appended to the statement as a comment, in the
 * sqlcommenter format (`/*traceparent='00-…-…-01'*\/`), so server logs and `pg_stat_activity` /
 * the MySQL processlist tie back to the query span. Every rule here keeps the statement's meaning.
 */

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const TRAILING_SEMICOLONS = /;\s*$/;

/**
 * `sql` with the comment added, or undefined to send it unchanged: when it already holds a comment
 * (or comment-like text: `--`, `/*`, and `#` on MySQL / MariaDB, where it starts one), as
 * sqlcommenter requires, so a comment of ours can never end up inside or after someone else's;
 * when it is empty; or when the traceparent is not the fixed W3C shape (nothing else may be
 * written into SQL). A trailing `;` stays last.
 */
export function commentedSql(sql: unknown, traceparent: string | undefined, hashComments: boolean): string | undefined {
  if (typeof sql !== 'string' || traceparent === undefined || !TRACEPARENT.test(traceparent)) return undefined;
  if (sql.trim().length === 0 || sql.includes('--') || sql.includes('/*') || (hashComments && sql.includes('#'))) return undefined;
  const comment = `/*traceparent='${traceparent}'*/`;
  const semicolon = TRAILING_SEMICOLONS.exec(sql);
  if (!semicolon) return `${sql} ${comment}`;
  const body = sql.slice(0, semicolon.index).trimEnd();
  if (body.includes(';')) return undefined;
  return `${body} ${comment};`;
}

interface QueryObjectLike {
  readonly sql?: unknown;
  readonly options?: unknown;
}

/**
 * Whether this query object may carry a per-query comment. A named statement (pg `name`) is
 * prepared once per connection and reused by name: a different text under the same name is an
 * error, so those are never commented; nor are objects whose driver options set the text itself.
 */
export function mayComment(obj: QueryObjectLike): boolean {
  const options = obj.options;
  if (options === null || options === undefined) return true;
  if (typeof options !== 'object') return false;
  return !('name' in options) && !('text' in options) && !('sql' in options);
}
