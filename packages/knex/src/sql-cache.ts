import { methodOperation, operationName, queryText } from './attributes.js';

/** What one distinct SQL string contributes to a span: its keyword and its sanitized text. */
export interface SqlFacts {
  readonly operation: string | undefined;
  readonly text: string | undefined;
}

// Apps repeat a bounded set of statements: cache their facts so the hot path skips the regexes.
// Long statements are not kept (they would pin memory); the cache restarts when full.
const MAX_ENTRIES = 512;
const MAX_CACHED_SQL_LENGTH = 2048;

export class SqlFactsCache {
  private readonly entries = new Map<string, SqlFacts>();

  constructor(
    private readonly maxQueryLength: number,
    private readonly sanitize: (sql: string) => string,
  ) {}

  /** `db.operation.name` prefers knex's method (e.g. `first` → SELECT) over the statement's first word. */
  facts(sql: string, method: string | undefined): { operation: string | undefined; text: string | undefined } {
    let facts = this.entries.get(sql);
    if (facts === undefined) {
      facts = this.compute(sql);
      if (sql.length <= MAX_CACHED_SQL_LENGTH) {
        if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
        this.entries.set(sql, facts);
      }
    }
    const byMethod = methodOperation(method);
    return byMethod === undefined || byMethod === facts.operation ? facts : { operation: byMethod, text: facts.text };
  }

  private compute(sql: string): SqlFacts {
    const text = this.maxQueryLength > 0 ? queryText(sql, this.maxQueryLength, this.sanitize) : undefined;
    return { operation: operationName(undefined, sql), text: text === '' ? undefined : text };
  }
}
