/**
 * Keyv names beyond core's `ATTR`; @threadline/core's registry (`KEYV_NAMES`) lists every name keyv
 * emits: multi-key hit / miss / key counts, the opt-in hashed key, custom `db.system.name` values.
 */
export const KV_ATTR = {
  HIT_COUNT: 'threadline.kv.hit_count',
  MISS_COUNT: 'threadline.kv.miss_count',
  KEY_COUNT: 'threadline.kv.key_count',
  KEY_HASH: 'threadline.kv.key.hash',
} as const;

/** `db.system.name` for Keyv's in-process memory store: not a database semconv names. */
export const DB_SYSTEM_MEMORY = 'keyv.memory';

/** `db.system.name` for a store threadline cannot name. */
export const DB_SYSTEM_OTHER = 'keyv.other';
