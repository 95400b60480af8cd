import { ATTR, METRICS } from '../../names.js';
import { CONVENTION, conditional, EXCEPTION_EVENT, optIn, recommended, required } from '../conventions.js';
import type { PackageNames } from '../types.js';

export const KEYV_NAMES: PackageNames = {
  package: '@threadline/keyv',
  scopes: ['@threadline/keyv'],
  spans: [
    {
      pattern: '{db.operation.name} {db.collection.name}',
      kind: 'CLIENT',
      description: 'One Keyv call (`get`, `getMany`, `set`, ...); `{db.operation.name}` alone without a namespace',
      attributes: [
        ...CONVENTION.dbClientSpan,
        recommended(ATTR.RESULT, '`hit` | `miss` on single-key reads'),
        recommended('threadline.kv.key_count', 'multi-key calls'),
        recommended('threadline.kv.hit_count', 'getMany / hasMany'),
        recommended('threadline.kv.miss_count', 'getMany / hasMany'),
        optIn('threadline.kv.key.hash', '`captureKeyHash: true`'),
      ],
    },
  ],
  metrics: [
    {
      ...METRICS.DB_CLIENT_OPERATION_DURATION,
      attributes: [required(ATTR.DB_SYSTEM_NAME), required(ATTR.DB_OPERATION_NAME), conditional(ATTR.DB_COLLECTION_NAME, 'the Keyv namespace'), conditional(ATTR.ERROR_TYPE, 'if the call failed')],
    },
    { ...METRICS.KV_OPERATIONS, attributes: [required(ATTR.DB_SYSTEM_NAME), required(ATTR.DB_OPERATION_NAME), conditional(ATTR.DB_COLLECTION_NAME, 'the Keyv namespace'), required(ATTR.RESULT)] },
  ],
  events: [EXCEPTION_EVENT],
  customValues: { [ATTR.DB_SYSTEM_NAME]: ['keyv.memory', 'keyv.other', 'etcd'] },
  deviations: [
    '`db.system.name` is `keyv.memory` for the in-process Map store, `keyv.other` for a store threadline cannot name, and `etcd` for etcd: semconv lists no value for these.',
    'Multi-key calls (`getMany`, `setMany`, ...) are one operation, not a semconv batch: they carry `threadline.kv.key_count`, not `db.operation.batch.size`.',
    'The Keyv namespace is the `db.collection.name`: Keyv has no tables, the namespace is the key space a call targets.',
  ],
};
