/**
 * Unit and instrument of the semconv metrics threadline records, read from the semantic-conventions
 * model (`model/db/metrics.yaml`, `model/messaging/metrics.yaml`, `model/http/metrics.yaml`) that the
 * installed npm package, which carries names only, was generated from. The check holds both the
 * registry and what suites emit to these.
 */
export const SEMCONV_METRIC_SPEC: Readonly<Record<string, { readonly unit: string; readonly instrument: 'counter' | 'updowncounter' | 'histogram' | 'gauge' }>> = Object.freeze({
  'db.client.operation.duration': { unit: 's', instrument: 'histogram' },
  'db.client.connection.count': { unit: '{connection}', instrument: 'updowncounter' },
  'db.client.connection.pending_requests': { unit: '{request}', instrument: 'updowncounter' },
  'db.client.connection.limit': { unit: '{connection}', instrument: 'updowncounter' },
  'db.client.connection.timeouts': { unit: '{timeout}', instrument: 'counter' },
  'db.client.connection.wait_time': { unit: 's', instrument: 'histogram' },
  'db.client.connection.use_time': { unit: 's', instrument: 'histogram' },
  'db.client.connection.create_time': { unit: 's', instrument: 'histogram' },
  'db.client.connection.idle.max': { unit: '{connection}', instrument: 'updowncounter' },
  'db.client.connection.idle.min': { unit: '{connection}', instrument: 'updowncounter' },
  'http.client.request.duration': { unit: 's', instrument: 'histogram' },
  'messaging.client.operation.duration': { unit: 's', instrument: 'histogram' },
  'messaging.client.sent.messages': { unit: '{message}', instrument: 'counter' },
  'messaging.client.consumed.messages': { unit: '{message}', instrument: 'counter' },
  'messaging.process.duration': { unit: 's', instrument: 'histogram' },
});
