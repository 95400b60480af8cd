import { ATTR, METRICS } from '../../names.js';
import { CONVENTION, conditional, EXCEPTION_EVENT, recommended, required } from '../conventions.js';
import type { PackageNames } from '../types.js';

const POOL = required(ATTR.DB_CLIENT_CONNECTION_POOL_NAME);

export const KNEX_NAMES: PackageNames = {
  package: '@threadline/knex',
  scopes: ['@threadline/knex'],
  spans: [
    { pattern: '{db.query.summary}', kind: 'CLIENT', description: 'One query; `{db.system.name}` when no summary is known (a failed connection)', attributes: CONVENTION.dbClientSpan },
    {
      pattern: 'TRANSACTION',
      kind: 'INTERNAL',
      description: '`knex.transaction()` in both forms, nested savepoints; its queries are its children',
      attributes: [required(ATTR.DB_SYSTEM_NAME), recommended(ATTR.DB_NAMESPACE), recommended(ATTR.SERVER_ADDRESS), recommended(ATTR.SERVER_PORT), recommended('threadline.db.transaction.outcome'), conditional(ATTR.ERROR_TYPE, 'if the transaction failed')],
    },
  ],
  metrics: [
    {
      ...METRICS.DB_CLIENT_OPERATION_DURATION,
      attributes: [
        required(ATTR.DB_SYSTEM_NAME),
        conditional(ATTR.DB_NAMESPACE, 'if available'),
        conditional(ATTR.DB_OPERATION_NAME, 'builder queries'),
        conditional(ATTR.DB_COLLECTION_NAME, 'builder queries on one table'),
        conditional(ATTR.DB_RESPONSE_STATUS_CODE, 'if the query failed with a status code'),
        conditional(ATTR.ERROR_TYPE, 'if the query failed'),
        conditional(ATTR.SERVER_PORT, 'if known'),
        recommended(ATTR.SERVER_ADDRESS),
        recommended(ATTR.DB_QUERY_SUMMARY),
      ],
    },
    { ...METRICS.DB_CLIENT_OPERATIONS, attributes: [required(ATTR.DB_SYSTEM_NAME), conditional(ATTR.DB_OPERATION_NAME, 'builder queries'), conditional(ATTR.DB_COLLECTION_NAME, 'builder queries on one table'), required(ATTR.RESULT)] },
    { ...METRICS.DB_CLIENT_CONNECTION_COUNT, attributes: [POOL, required(ATTR.DB_CLIENT_CONNECTION_STATE)] },
    { ...METRICS.DB_CLIENT_CONNECTION_PENDING_REQUESTS, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_LIMIT, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_TIMEOUTS, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_WAIT_TIME, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_USE_TIME, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_CREATE_TIME, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_IDLE_MAX, attributes: [POOL] },
    { ...METRICS.DB_CLIENT_CONNECTION_IDLE_MIN, attributes: [POOL] },
  ],
  events: [EXCEPTION_EVENT],
  customValues: {},
  deviations: [
    '`TRANSACTION` is an INTERNAL span of threadline\'s own: semconv defines no transaction span.',
    'Raw SQL gets no `db.operation.name` (semconv: not parsed from the query text); its first keyword becomes `db.query.summary` and the span name.',
    'The exception event carries no message: knex can inline bind values into error messages.',
  ],
};
