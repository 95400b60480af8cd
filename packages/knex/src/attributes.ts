import { DB_SYSTEM } from './semconv.js';

/** Connection-level facts of one knex client, read once (no credentials are ever read). */
export interface ConnectionFacts {
  system: string;
  readonly namespace: string | undefined;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  /** `host:port/database`, the pool's `db.client.connection.pool.name`. */
  readonly poolName: string;
}

const SYSTEM_BY_CLIENT: Record<string, string> = {
  pg: DB_SYSTEM.POSTGRESQL,
  postgres: DB_SYSTEM.POSTGRESQL,
  postgresql: DB_SYSTEM.POSTGRESQL,
  pgnative: DB_SYSTEM.POSTGRESQL,
  'pg-native': DB_SYSTEM.POSTGRESQL,
  cockroachdb: 'cockroachdb',
  redshift: 'aws.redshift',
  mysql: DB_SYSTEM.MYSQL,
  mysql2: DB_SYSTEM.MYSQL,
  sqlite3: DB_SYSTEM.SQLITE,
  sqlite: DB_SYSTEM.SQLITE,
  'better-sqlite3': DB_SYSTEM.SQLITE,
  mssql: DB_SYSTEM.MSSQL,
  tedious: DB_SYSTEM.MSSQL,
  oracledb: DB_SYSTEM.ORACLE,
  oracle: DB_SYSTEM.ORACLE,
};

const DEFAULT_PORT: Record<string, number> = {
  [DB_SYSTEM.POSTGRESQL]: 5432,
  [DB_SYSTEM.MYSQL]: 3306,
  [DB_SYSTEM.MARIADB]: 3306,
  [DB_SYSTEM.MSSQL]: 1433,
  [DB_SYSTEM.ORACLE]: 1521,
};

interface ClientLike {
  readonly driverName?: unknown;
  readonly dialect?: unknown;
  readonly config?: { readonly client?: unknown };
  readonly connectionSettings?: unknown;
}

export function systemOf(client: ClientLike, override: string | undefined): string {
  if (override) return override;
  for (const candidate of [client.driverName, client.dialect, client.config?.client]) {
    if (typeof candidate === 'string' && SYSTEM_BY_CLIENT[candidate]) return SYSTEM_BY_CLIENT[candidate] as string;
  }
  return DB_SYSTEM.OTHER;
}

export function connectionFacts(client: ClientLike, override: string | undefined): ConnectionFacts {
  const system = systemOf(client, override);
  const settings = (typeof client.connectionSettings === 'object' && client.connectionSettings) || {};
  const fromUrl = parseConnectionString((settings as { connectionString?: unknown }).connectionString);
  const s = settings as { host?: unknown; port?: unknown; database?: unknown; filename?: unknown };
  const host = str(s.host) ?? fromUrl.host;
  const namespace = str(s.database) ?? fromUrl.database ?? str(s.filename);
  const explicitPort = num(s.port) ?? fromUrl.port;
  const port = explicitPort ?? (host ? DEFAULT_PORT[system] : undefined);
  const poolName = `${host ?? system}${port ? `:${port}` : ''}${namespace ? `/${namespace}` : ''}`;
  return { system, namespace, serverAddress: host, serverPort: port, poolName };
}

function parseConnectionString(value: unknown): { host?: string; port?: number; database?: string } {
  if (typeof value !== 'string') return {};
  try {
    const url = new URL(value);
    return {
      ...(url.hostname ? { host: url.hostname } : {}),
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    };
  } catch {
    return {};
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

// knex method → SQL keyword. A closed set keeps `db.operation.name` a bounded metric label.
const OPERATION_BY_METHOD = new Map<string, string>([
  ['select', 'SELECT'],
  ['first', 'SELECT'],
  ['pluck', 'SELECT'],
  ['insert', 'INSERT'],
  ['update', 'UPDATE'],
  ['del', 'DELETE'],
  ['delete', 'DELETE'],
  ['truncate', 'TRUNCATE'],
  ['upsert', 'UPSERT'],
]);

const SQL_KEYWORDS = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'BEGIN', 'COMMIT', 'ROLLBACK',
  'SAVEPOINT', 'RELEASE', 'SET', 'SHOW', 'EXPLAIN', 'CALL', 'MERGE', 'UPSERT', 'REPLACE', 'GRANT', 'REVOKE', 'VACUUM',
  'ANALYZE', 'COPY', 'LOCK', 'PRAGMA', 'DESCRIBE', 'VALUES', 'DO', 'LISTEN', 'NOTIFY', 'REFRESH', 'COMMENT',
]);

const FIRST_WORD = /^[\s(]*([A-Za-z]+)/;

/** The SQL keyword for a knex method name, when the method says it. */
export function methodOperation(method: unknown): string | undefined {
  return typeof method === 'string' ? OPERATION_BY_METHOD.get(method) : undefined;
}

/** The statement's first SQL keyword (looked at in the first 64 chars), for `db.query.summary` only. */
export function summaryKeyword(sql: string): string | undefined {
  const match = FIRST_WORD.exec(sql.length > 64 ? sql.slice(0, 64) : sql);
  const word = match?.[1]?.toUpperCase();
  return word && SQL_KEYWORDS.has(word) ? word : undefined;
}

/** `db.collection.name` from a query builder's single table (`users as u` → `users`); raw SQL gives none. */
export function collectionName(builder: unknown): string | undefined {
  const table = (builder as { _single?: { table?: unknown } } | undefined)?._single?.table;
  if (typeof table !== 'string' || table.length === 0) return undefined;
  const space = table.indexOf(' ');
  return space === -1 ? table : table.slice(0, space);
}

// Single-quoted literals (also unterminated, as truncation can cut one) and numeric literals not
// part of an identifier or a `$1` placeholder.
const LITERALS = /'(?:[^']|'')*(?:'|$)|(?<![\w$."])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w"])/g;

/** The default sanitizer: string and numeric literals become `?`. */
export function maskLiterals(sql: string): string {
  return sql.replace(LITERALS, '?');
}

/** Truncates first (cheap for 1 MB statements), then sanitizes. */
export function queryText(sql: string, maxLength: number, sanitize: (sql: string) => string): string {
  return sanitize(sql.length > maxLength ? sql.slice(0, maxLength) : sql);
}
