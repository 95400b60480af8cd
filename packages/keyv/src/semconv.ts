/**
 * Names @threadline/core's table lacks (to be lifted there): KV batch hit / miss counts, the
 * opt-in hashed key, and the `db.system.name` values Keyv stores map to.
 */
export const KV_ATTR = {
  HIT_COUNT: 'kv.hit_count',
  MISS_COUNT: 'kv.miss_count',
  KEY_HASH: 'kv.key.hash',
} as const;

/** `db.system.name` for the memory store and any store we cannot name (the issue asks for `other`). */
export const DB_SYSTEM_OTHER = 'other';

/**
 * Label keys of `db.client.operation.duration`, identical to @threadline/knex's declaration (one
 * collector refuses a second declaration that differs); the Keyv namespace is the collection.
 * Core should own this set for every DB plugin.
 */
export const DB_DURATION_LABELS = ['db.system.name', 'db.operation.name', 'db.collection.name', 'error.type'] as const;
export const DB_DURATION_OPTIONAL_LABELS = ['db.operation.name', 'db.collection.name', 'error.type'] as const;
