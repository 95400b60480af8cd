import { DB_SECONDS_BUCKETS } from './buckets.js';
import { CORE_SCOPE } from './version.js';

/**
 * The names shared by every threadline plugin: metric names, units, instrument kinds, span-name
 * patterns and attribute keys. OTel semconv names where they exist; threadline's own names live
 * under `threadline.*` only. The registry (./registry/) tags each one and lists what every package
 * emits; change a name here and there, nowhere else.
 */

export const ATTR = {
  ERROR_TYPE: 'error.type',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  CODE_FUNCTION_NAME: 'code.function.name',
  /** threadline: how an operation ended (ok | error, ack | nack, hit | miss). */
  RESULT: 'threadline.result',
  // messaging
  MESSAGING_SYSTEM: 'messaging.system.name',
  MESSAGING_OPERATION_NAME: 'messaging.operation.name',
  MESSAGING_OPERATION_TYPE: 'messaging.operation.type',
  MESSAGING_DESTINATION_NAME: 'messaging.destination.name',
  MESSAGING_MESSAGE_ID: 'messaging.message.id',
  MESSAGING_BATCH_MESSAGE_COUNT: 'messaging.batch.message_count',
  // db
  DB_SYSTEM_NAME: 'db.system.name',
  DB_NAMESPACE: 'db.namespace',
  DB_COLLECTION_NAME: 'db.collection.name',
  DB_OPERATION_NAME: 'db.operation.name',
  DB_QUERY_TEXT: 'db.query.text',
  DB_QUERY_SUMMARY: 'db.query.summary',
  DB_RESPONSE_STATUS_CODE: 'db.response.status_code',
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
  // threadline-owned (no semconv name exists)
  CDC_SLOT: 'threadline.cdc.slot',
  CDC_TABLE: 'threadline.cdc.table',
  CDC_OPERATION: 'threadline.cdc.operation',
  COLLECTOR_INSTRUMENT: 'threadline.collector.instrument',
  DROP_REASON: 'threadline.telemetry.drop_reason',
} as const;

export type MetricUnit = 's' | 'ms' | 'By' | '1' | '{message}' | '{operation}' | '{call}' | '{connection}' | '{request}' | '{change}' | '{error}' | '{series}' | '{span}' | string;

/** Instrument kinds as semconv names them (the collector's `InstrumentKind`). */
export type MetricInstrument = 'counter' | 'updowncounter' | 'gauge' | 'histogram';

export interface MetricName {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly description: string;
  /** The instrument kind the registry (and semconv, for semconv names) gives this metric. */
  readonly instrument: MetricInstrument;
}

function metric(name: string, unit: MetricUnit, instrument: MetricInstrument, description: string): MetricName {
  return Object.freeze({ name, unit, instrument, description });
}

export const METRICS = {
  FUNCTION_DURATION: metric('threadline.function.duration', 's', 'histogram', 'Duration of traced function calls'),
  FUNCTION_CALLS: metric('threadline.function.calls', '{call}', 'counter', 'Traced function calls by result (ok | error)'),
  FUNCTION_IN_FLIGHT: metric('threadline.function.in_flight', '{call}', 'updowncounter', 'Traced function calls currently running'),

  MESSAGING_CLIENT_OPERATION_DURATION: metric('messaging.client.operation.duration', 's', 'histogram', 'Duration of messaging operations initiated by a producer or consumer client'),
  MESSAGING_CLIENT_SENT_MESSAGES: metric('messaging.client.sent.messages', '{message}', 'counter', 'Messages a producer attempted to send'),
  MESSAGING_CLIENT_CONSUMED_MESSAGES: metric('messaging.client.consumed.messages', '{message}', 'counter', 'Messages delivered to the consumer (counted per delivery, retries included)'),
  MESSAGING_PROCESS_DURATION: metric('messaging.process.duration', 's', 'histogram', 'Duration of processing operations'),
  MESSAGING_SETTLED_MESSAGES: metric('threadline.messaging.settled.messages', '{message}', 'counter', 'Processed messages by how they settled (ack | nack)'),
  MESSAGING_PROCESS_IN_FLIGHT: metric('threadline.messaging.process.in_flight', '{message}', 'updowncounter', 'Messages being processed right now'),
  MESSAGING_QUEUE_WAIT: metric('threadline.messaging.process.queue_wait', 's', 'histogram', 'Time a message waited in the queue before processing started (after any requested delay)'),

  DB_CLIENT_OPERATION_DURATION: metric('db.client.operation.duration', 's', 'histogram', 'Duration of database client operations'),
  DB_CLIENT_OPERATIONS: metric('threadline.db.client.operations', '{operation}', 'counter', 'Database client operations by result (ok | error)'),
  DB_CLIENT_CONNECTION_COUNT: metric('db.client.connection.count', '{connection}', 'updowncounter', 'Connections in the pool by state (used | idle)'),
  DB_CLIENT_CONNECTION_PENDING_REQUESTS: metric('db.client.connection.pending_requests', '{request}', 'updowncounter', 'Requests waiting for a pooled connection'),
  DB_CLIENT_CONNECTION_LIMIT: metric('db.client.connection.limit', '{connection}', 'updowncounter', 'Maximum connections the pool allows'),
  DB_CLIENT_CONNECTION_WAIT_TIME: metric('db.client.connection.wait_time', 's', 'histogram', 'The time it took to obtain an open connection from the pool'),
  DB_CLIENT_CONNECTION_USE_TIME: metric('db.client.connection.use_time', 's', 'histogram', 'The time between borrowing a connection and returning it to the pool'),
  DB_CLIENT_CONNECTION_CREATE_TIME: metric('db.client.connection.create_time', 's', 'histogram', 'The time it took to create a new connection'),
  DB_CLIENT_CONNECTION_IDLE_MAX: metric('db.client.connection.idle.max', '{connection}', 'updowncounter', 'The maximum number of idle open connections allowed'),
  DB_CLIENT_CONNECTION_IDLE_MIN: metric('db.client.connection.idle.min', '{connection}', 'updowncounter', 'The minimum number of idle open connections allowed'),
  DB_CLIENT_CONNECTION_TIMEOUTS: metric('db.client.connection.timeouts', '{timeout}', 'counter', 'Connection acquisitions from the pool that timed out or failed'),

  KV_OPERATIONS: metric('threadline.kv.operations', '{operation}', 'counter', 'Key-value operations by op and result (hit | miss | ok | error)'),

  HTTP_CLIENT_REQUEST_DURATION: metric('http.client.request.duration', 's', 'histogram', 'Duration of HTTP client requests'),

  CDC_CHANGES: metric('threadline.cdc.changes', '{change}', 'counter', 'Row changes delivered to the CDC handler by table and op'),
  CDC_ERRORS: metric('threadline.cdc.errors', '{error}', 'counter', 'CDC errors by error.type'),
  BULLMQ_QUEUE_JOBS: metric('threadline.bullmq.queue.jobs', '{job}', 'gauge', 'Jobs in a BullMQ queue by state, polled (semconv has no backlog metric yet)'),
  BULLMQ_QUEUE_OLDEST_WAITING_AGE: metric('threadline.bullmq.queue.oldest_waiting.age', 's', 'gauge', 'Age of the oldest waiting job of a BullMQ queue (since it became due), polled; 0 when none waits'),
  CDC_RECEIVE_LAG: metric('threadline.cdc.receive_lag', 's', 'gauge', 'Seconds between a change commit and its arrival at the consumer (before the handler runs)'),
  CDC_LAG: metric('threadline.cdc.lag', 's', 'gauge', 'Seconds between a change commit and its processing'),
  CDC_LAG_BYTES: metric('threadline.cdc.lag_bytes', 'By', 'gauge', 'WAL bytes between the server position and the slot confirmed flush position'),
  CDC_RETAINED_WAL: metric('threadline.cdc.retained_wal', 'By', 'gauge', 'WAL bytes retained by the replication slot'),
  CDC_CONNECTED: metric('threadline.cdc.connected', '1', 'gauge', '1 while the replication stream is connected, else 0'),
  CDC_EVENTS_SEEN: metric('threadline.cdc.events_seen', '{change}', 'counter', 'Total changes seen since start (Debezium TotalNumberOfEventsSeen)'),
  CDC_TRANSACTIONS: metric('threadline.cdc.transactions', '{transaction}', 'counter', 'Transactions handed to the CDC handler, by result (ok | error)'),

  COLLECTOR_OVERFLOW: metric('threadline.collector.overflow', '{series}', 'counter', 'Label sets folded into _other by the cardinality guard'),
  TELEMETRY_DROPPED: metric('threadline.telemetry.dropped', '{item}', 'counter', 'Telemetry dropped to protect the app, by reason'),
} as const;

/** Semconv span-name patterns: `{operation} {target}` with the target left out when unknown. */
export const SPAN_NAMES = {
  messaging: (operation: 'send' | 'process' | 'receive' | 'settle', destination: string | undefined) =>
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

/** Every label of the shared DB duration but `db.system.name` is there only when the plugin knows it. */
const DB_DURATION_OPTIONAL_LABELS = [
  ATTR.DB_NAMESPACE,
  ATTR.DB_OPERATION_NAME,
  ATTR.DB_COLLECTION_NAME,
  ATTR.DB_QUERY_SUMMARY,
  ATTR.DB_RESPONSE_STATUS_CODE,
  ATTR.SERVER_ADDRESS,
  ATTR.SERVER_PORT,
  ATTR.ERROR_TYPE,
] as const;

/**
 * Instruments that several plugins record into (knex and keyv both record
 * `db.client.operation.duration`): one declaration shape, so the shared collector sees no conflict.
 */
export const SHARED_INSTRUMENTS = {
  DB_CLIENT_OPERATION_DURATION: Object.freeze({
    ...METRICS.DB_CLIENT_OPERATION_DURATION,
    labelKeys: [ATTR.DB_SYSTEM_NAME, ...DB_DURATION_OPTIONAL_LABELS] as const,
    optionalLabelKeys: DB_DURATION_OPTIONAL_LABELS,
    boundaries: DB_SECONDS_BUCKETS,
    // Shared by every DB plugin, so it stays in core's scope; db.system.name tells them apart.
    scope: CORE_SCOPE,
  }),
} as const;
