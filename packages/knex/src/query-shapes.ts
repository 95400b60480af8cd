import { SpanKind, type Attributes, type SpanOptions } from '@opentelemetry/api';
import { ATTR, SPAN_NAMES } from '@threadline/core';
import { methodOperation, queryText, summaryKeyword, type ConnectionFacts } from './attributes.js';
import type { OkSeries } from './metrics.js';

/**
 * Everything the queries of one statement share: span name, start options (the semconv attributes
 * sampling needs at creation) and the bound success series. Built once per distinct SQL, so the
 * hot path only reads it. The SDK copies start attributes and never writes to the options, so one
 * object serves every span (nothing else gets hold of it).
 */
export class QueryShape {
  readonly spanName: string;
  readonly spanOptions: SpanOptions;
  /** `db.query.summary`: `{operation} {table}` for builder queries, the statement's keyword for raw SQL. */
  readonly summary: string | undefined;
  /** The labels of this shape's `db.client.operation.duration` series. */
  readonly metricLabels: Readonly<Record<string, string | number | undefined>>;
  /** The success series, bound for the collector `seriesOwner` came from. */
  series: OkSeries | undefined;
  seriesOwner: unknown;

  constructor(
    readonly method: string | undefined,
    readonly collection: string | undefined,
    readonly operation: string | undefined,
    keyword: string | undefined,
    text: string | undefined,
    readonly system: string,
    connectionAttributes: Attributes,
  ) {
    const verb = operation ?? keyword;
    this.summary = verb !== undefined && collection !== undefined ? `${verb} ${collection}` : verb;
    this.spanName = this.summary ?? SPAN_NAMES.db(undefined, collection, system);
    this.metricLabels = {
      ...(connectionAttributes as Record<string, string | number>),
      [ATTR.DB_OPERATION_NAME]: operation,
      [ATTR.DB_COLLECTION_NAME]: collection,
      [ATTR.DB_QUERY_SUMMARY]: this.summary,
    };
    // Keys only for known values (the SDK walks every key, twice), added one by one to `{}` and not
    // frozen: the SDK builds its two copies the same way, so all three share one hidden class and
    // its copy loops stay monomorphic (measured: ~0.2 µs less per span than a literal or frozen object).
    const attributes: Attributes = {};
    for (const key in connectionAttributes) attributes[key] = connectionAttributes[key];
    if (operation !== undefined) attributes[ATTR.DB_OPERATION_NAME] = operation;
    if (collection !== undefined) attributes[ATTR.DB_COLLECTION_NAME] = collection;
    if (this.summary !== undefined) attributes[ATTR.DB_QUERY_SUMMARY] = this.summary;
    if (text !== undefined) attributes[ATTR.DB_QUERY_TEXT] = text;
    this.spanOptions = { kind: SpanKind.CLIENT, attributes };
  }
}

/** What one distinct SQL string contributes: its first keyword, its sanitized text, its last shape. */
interface SqlEntry {
  readonly keyword: string | undefined;
  readonly text: string | undefined;
  shape: QueryShape | undefined;
}

// Apps repeat a bounded set of statements: cache them so the hot path skips the regexes and the
// attribute building. Long statements are not kept (they would pin memory); the cache restarts when full.
const MAX_ENTRIES = 512;
const MAX_CACHED_SQL_LENGTH = 2048;

/** The shapes of one knex instance's statements; `clear()` when its connection facts change. */
export class QueryShapes {
  private readonly entries = new Map<string, SqlEntry>();

  constructor(
    private readonly facts: ConnectionFacts,
    /** `db.system.name`, `db.namespace`, `server.*`: the same on every span of the instance. */
    private readonly connectionAttributes: Attributes,
    private readonly maxQueryLength: number,
    private readonly sanitize: (sql: string) => string,
  ) {}

  /**
   * `db.operation.name` comes from knex's method only (e.g. `first` → SELECT): semconv says not to
   * parse it from the query text. The statement's first keyword only feeds `db.query.summary`.
   */
  of(sql: string, method: string | undefined, collection: string | undefined): QueryShape {
    let entry = this.entries.get(sql);
    if (entry === undefined) {
      entry = this.parse(sql);
      if (sql.length <= MAX_CACHED_SQL_LENGTH) {
        if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
        this.entries.set(sql, entry);
      }
    }
    const last = entry.shape;
    // One SQL string nearly always comes with one method and table: keep the last shape only.
    if (last !== undefined && last.method === method && last.collection === collection) return last;
    const shape = new QueryShape(method, collection, methodOperation(method), entry.keyword, entry.text, this.facts.system, this.connectionAttributes);
    entry.shape = shape;
    return shape;
  }

  /** The connection facts changed (MariaDB detected): every shape is stale. */
  clear(): void {
    this.entries.clear();
  }

  private parse(sql: string): SqlEntry {
    const text = this.maxQueryLength > 0 ? queryText(sql, this.maxQueryLength, this.sanitize) : undefined;
    return { keyword: summaryKeyword(sql), text: text === '' ? undefined : text, shape: undefined };
  }
}
