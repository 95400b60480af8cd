/**
 * What threadline needs to know about a Keyv instance (5.x and 6.x) and its store adapter.
 * Knows Keyv, knows nothing of OTel.
 */
import { DB_SYSTEM_MEMORY, DB_SYSTEM_OTHER } from './semconv.js';

/** The parts of a Keyv instance (5.x or 6.x) threadline reads. */
export interface KeyvLike {
  readonly namespace?: string | undefined;
  readonly _store?: unknown;
  [method: string]: unknown;
}

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The resolved store adapter (6.x) or the store itself (5.x). */
export function storeOf(keyv: KeyvLike): unknown {
  try {
    return keyv._store;
  } catch {
    return undefined;
  }
}

export function namespaceOf(keyv: KeyvLike): string | undefined {
  try {
    const namespace = keyv.namespace;
    return typeof namespace === 'string' && namespace.length > 0 ? namespace : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A genuine in-process Map (5.x) or 6.x's KeyvMemoryAdapter over one: such a store cannot fail,
 * so its calls skip the error scope that network stores need (the cheap path).
 */
export function isPlainMemoryStore(store: unknown): boolean {
  if (store instanceof Map) return true;
  const inner = innerStore(store);
  return constructorName(store) === 'KeyvMemoryAdapter' && inner instanceof Map;
}

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/redis|valkey/i, 'redis'],
  [/postgres/i, 'postgresql'],
  [/sqlite/i, 'sqlite'],
  [/maria/i, 'mariadb'],
  [/mysql/i, 'mysql'],
  [/mongo/i, 'mongodb'],
  [/memcache/i, 'memcached'],
  [/etcd/i, 'etcd'],
  [/dynamo/i, 'aws.dynamodb'],
];

/** `db.system.name` from the adapter's class name or 5.x `opts.dialect`; the memory store is `keyv.memory`. */
export function dbSystemOf(store: unknown): string {
  if (isPlainMemoryStore(store)) return DB_SYSTEM_MEMORY;
  for (const candidate of [store, innerStore(store)]) {
    if (candidate === undefined || candidate === null) continue;
    const hints = [constructorName(candidate), dialectOf(candidate)];
    for (const hint of hints) {
      if (!hint) continue;
      for (const [pattern, system] of SYSTEMS) if (pattern.test(hint)) return system;
    }
  }
  return DB_SYSTEM_OTHER;
}

/** The store a 6.x bridge or memory adapter wraps (`adapter.store`), if any. */
export function innerStore(store: unknown): unknown {
  try {
    return store !== null && typeof store === 'object' ? (store as { store?: unknown }).store : undefined;
  } catch {
    return undefined;
  }
}

function constructorName(value: unknown): string | undefined {
  try {
    const name = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function dialectOf(value: unknown): string | undefined {
  try {
    const dialect = (value as { opts?: { dialect?: unknown } }).opts?.dialect;
    return typeof dialect === 'string' ? dialect : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keyv 5 swallows a failing store call without emitting anything, so only wrapping the store's
 * methods can see it; Keyv 6 (which has `emitTelemetry`) emits `error` from every catch.
 */
export function swallowsStoreErrors(keyv: KeyvLike): boolean {
  try {
    return typeof keyv.emitTelemetry !== 'function';
  } catch {
    return true;
  }
}

/** Store methods whose failures count against the Keyv call that made them. */
export const STORE_METHODS = ['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'has', 'hasMany', 'clear'] as const;
