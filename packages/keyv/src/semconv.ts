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
