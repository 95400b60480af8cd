import { DB_SECONDS_BUCKETS } from './buckets.js';
import { CORE_SCOPE } from './version.js';

/**
 * The naming table shared by every threadline plugin: metric names, units, descriptions, span-name
 * patterns and attribute keys. Stable OTel semconv names where they exist; threadline's own names
 * (ack/nack result, in-flight, KV hit/miss, CDC) where semconv has none. Change a name here, nowhere else.
 */

export const ATTR = {
  ERROR_TYPE: 'error.type',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  CODE_FUNCTION_NAME: 'code.function.name',
  RESULT: 'threadline.result',
  // messaging
  MESSAGING_SYSTEM: 'messaging.system',
  MESSAGING_OPERATION_NAME: 'messaging.operation.name',
  MESSAGING_OPERATION_TYPE: 'messaging.operation.type',
  MESSAGING_DESTINATION_NAME: 'messaging.destination.name',
  MESSAGING_MESSAGE_ID: 'messaging.message.id',
  MESSAGING_BATCH_MESSAGE_COUNT: 'messaging.batch.message_count',
  MESSAGING_CONSUMER_GROUP_NAME: 'messaging.consumer.group.name',
  // db
  DB_SYSTEM_NAME: 'db.system.name',
  DB_NAMESPACE: 'db.namespace',
  DB_COLLECTION_NAME: 'db.collection.name',
  DB_OPERATION_NAME: 'db.operation.name',
  DB_QUERY_TEXT: 'db.query.text',
  DB_RESPONSE_STATUS_CODE: 'db.response.status_code',
  DB_OPERATION_BATCH_SIZE: 'db.operation.batch.size',
  DB_CLIENT_CONNECTION_STATE: 'db.client.connection.state',
  DB_CLIENT_CONNECTION_POOL_NAME: 'db.client.connection.pool.name',
  // http
  HTTP_REQUEST_METHOD: 'http.request.method',
  HTTP_REQUEST_METHOD_ORIGINAL: 'http.request.method_original',
  HTTP_RESPONSE_STATUS_CODE: 'http.response.status_code',
  HTTP_REQUEST_RESEND_COUNT: 'http.request.resend_count',
  URL_FULL: 'url.full',
  URL_SCHEME: 'url.scheme',
  NETWORK_PROTOCOL_VERSION: 'network.protocol.version',
  // threadline-specific (no semconv name yet)
  KV_OPERATION: 'kv.operation',
  KV_RESULT: 'kv.result',
  KV_NAMESPACE: 'kv.namespace',
  MESSAGING_RESULT: 'messaging.consume.result',
  CDC_SLOT: 'cdc.slot',
  CDC_TABLE: 'cdc.table',
  CDC_OPERATION: 'cdc.operation',
  CDC_ERROR_KIND: 'cdc.error.kind',
  FUNCTION_NAME: 'function.name',
  FUNCTION_RESULT: 'function.result',
} as const;

export type MetricUnit = 's' | 'ms' | 'By' | '1' | '{message}' | '{operation}' | '{call}' | '{connection}' | '{request}' | '{change}' | '{error}' | '{series}' | '{span}' | string;

export interface MetricName {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly description: string;
}

function metric(name: string, unit: MetricUnit, description: string): MetricName {
  return Object.freeze({ name, unit, description });
}

export const METRICS = {
  FUNCTION_DURATION: metric('function.duration', 's', 'Duration of traced function calls'),
  FUNCTION_CALLS: metric('function.calls', '{call}', 'Traced function calls by result (ok | error)'),
  FUNCTION_IN_FLIGHT: metric('function.in_flight', '{call}', 'Traced function calls currently running'),

  MESSAGING_CLIENT_OPERATION_DURATION: metric('messaging.client.operation.duration', 's', 'Duration of messaging operations initiated by a producer or consumer client'),
  MESSAGING_CLIENT_SENT_MESSAGES: metric('messaging.client.sent.messages', '{message}', 'Messages a producer attempted to send'),
  MESSAGING_CLIENT_CONSUMED_MESSAGES: metric('messaging.client.consumed.messages', '{message}', 'Messages delivered to the consumer, by result (ack | nack)'),
  MESSAGING_PROCESS_DURATION: metric('messaging.process.duration', 's', 'Duration of processing operations'),
  MESSAGING_PROCESS_IN_FLIGHT: metric('messaging.process.in_flight', '{message}', 'Messages being processed right now'),
  MESSAGING_QUEUE_WAIT: metric('messaging.process.queue_wait', 's', 'Time a message waited in the queue before processing started (after any requested delay)'),

  DB_CLIENT_OPERATION_DURATION: metric('db.client.operation.duration', 's', 'Duration of database client operations'),
  DB_CLIENT_OPERATIONS: metric('db.client.operations', '{operation}', 'Database client operations by result (ok | error)'),
  DB_CLIENT_CONNECTION_COUNT: metric('db.client.connection.count', '{connection}', 'Connections in the pool by state (used | idle)'),
  DB_CLIENT_CONNECTION_PENDING_REQUESTS: metric('db.client.connection.pending_requests', '{request}', 'Requests waiting for a pooled connection'),
  DB_CLIENT_CONNECTION_MAX: metric('db.client.connection.max', '{connection}', 'Maximum connections the pool allows'),

  KV_OPERATIONS: metric('kv.operations', '{operation}', 'Key-value operations by op and result (hit | miss | ok | error)'),

  HTTP_CLIENT_REQUEST_DURATION: metric('http.client.request.duration', 's', 'Duration of HTTP client requests'),

  CDC_PROCESS_DURATION: metric('cdc.process.duration', 's', 'Duration of change-data-capture handler runs'),
  CDC_CHANGES: metric('cdc.changes', '{change}', 'Row changes delivered to the CDC handler by table and op'),
  CDC_ERRORS: metric('cdc.errors', '{error}', 'CDC errors by kind'),
  CDC_LAG: metric('cdc.lag', 's', 'Seconds between a change commit and its processing'),
  CDC_LAG_BYTES: metric('cdc.lag_bytes', 'By', 'WAL bytes between the server position and the slot confirmed flush position'),
  CDC_RETAINED_WAL: metric('cdc.retained_wal', 'By', 'WAL bytes retained by the replication slot'),
  CDC_CONNECTED: metric('cdc.connected', '1', '1 while the replication stream is connected, else 0'),
  CDC_EVENTS_SEEN: metric('cdc.events_seen', '{change}', 'Total changes seen since start (Debezium TotalNumberOfEventsSeen)'),

  COLLECTOR_OVERFLOW: metric('threadline.collector.overflow', '{series}', 'Label sets folded into _other by the cardinality guard'),
  TELEMETRY_DROPPED: metric('threadline.telemetry.dropped', '{item}', 'Telemetry dropped to protect the app, by reason'),
} as const;

/** Semconv span-name patterns: `{operation} {target}` with the target left out when unknown. */
export const SPAN_NAMES = {
  messaging: (operation: 'send' | 'process' | 'create' | 'receive' | 'settle', destination: string | undefined) =>
    destination ? `${operation} ${destination}` : operation,
  db: (operation: string | undefined, target: string | undefined, system?: string) =>
    operation && target ? `${operation} ${target}` : operation ?? target ?? system ?? 'DB',
  http: (method: string | undefined) => method ?? 'HTTP',
} as const;

export const RESULT = { OK: 'ok', ERROR: 'error', ACK: 'ack', NACK: 'nack', HIT: 'hit', MISS: 'miss' } as const;

/** Placeholder label values used by the collector's guard. */
export const LABEL = { OTHER: '_other', MISSING: '_missing', INVALID: '_invalid' } as const;

/** `error.type` fallback when nothing better is known (semconv). */
export const ERROR_TYPE_OTHER = '_OTHER';

/**
 * Instruments that several plugins record into (knex and keyv both record
 * `db.client.operation.duration`): one declaration shape, so the shared collector sees no conflict.
 */
export const SHARED_INSTRUMENTS = {
  DB_CLIENT_OPERATION_DURATION: Object.freeze({
    ...METRICS.DB_CLIENT_OPERATION_DURATION,
    labelKeys: [ATTR.DB_SYSTEM_NAME, ATTR.DB_OPERATION_NAME, ATTR.DB_COLLECTION_NAME, ATTR.ERROR_TYPE] as const,
    optionalLabelKeys: [ATTR.DB_OPERATION_NAME, ATTR.DB_COLLECTION_NAME, ATTR.ERROR_TYPE] as const,
    boundaries: DB_SECONDS_BUCKETS,
    // Shared by every DB plugin, so it stays in core's scope; db.system.name tells them apart.
    scope: CORE_SCOPE,
  }),
} as const;
