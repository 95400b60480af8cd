import type { AttributeUse, Requirement } from './types.js';

export const use = (name: string, requirement: Requirement, note?: string): AttributeUse =>
  Object.freeze(note === undefined ? { name, requirement } : { name, requirement, note });
export const required = (name: string) => use(name, 'required');
export const conditional = (name: string, note: string) => use(name, 'conditionally_required', note);
export const recommended = (name: string, note?: string) => use(name, 'recommended', note);
export const optIn = (name: string, note: string) => use(name, 'opt_in', note);

/**
 * Requirement levels of the semconv span conventions threadline follows (database client spans,
 * messaging spans, HTTP client spans), transcribed from the semantic-conventions model that the
 * installed `@opentelemetry/semantic-conventions` 1.45 was generated from (the npm package carries
 * names only, no requirement levels).
 */
export const CONVENTION = {
  dbClientSpan: [
    required('db.system.name'),
    conditional('db.namespace', 'if available'),
    conditional('db.collection.name', 'if the operation names one table / namespace'),
    conditional('db.operation.name', 'if readily available and not parsed from the query text'),
    conditional('db.response.status_code', 'if the operation failed with a status code'),
    conditional('error.type', 'if the operation failed'),
    conditional('server.port', 'if not the default port'),
    recommended('db.query.summary'),
    recommended('db.query.text', 'sanitized'),
    recommended('server.address'),
  ],
  messagingSpan: [
    required('messaging.operation.name'),
    required('messaging.system.name'),
    conditional('error.type', 'if the operation failed'),
    conditional('messaging.batch.message_count', 'if the operation is on more than one message'),
    conditional('messaging.destination.name', 'if known'),
    conditional('messaging.operation.type', 'if applicable'),
    recommended('messaging.message.id'),
  ],
  httpClientSpan: [
    required('http.request.method'),
    required('server.address'),
    required('server.port'),
    required('url.full'),
    conditional('error.type', 'if the request failed'),
    conditional('http.request.method_original', 'if the method is not a known one'),
    conditional('http.response.status_code', 'if a response was received'),
    recommended('http.request.resend_count', 'on redirects and retries'),
    recommended('network.protocol.version'),
    optIn('url.scheme', '`captureUrlScheme: true`'),
    optIn('http.request.header.<key>', '`captureRequestHeaders`'),
    optIn('http.response.header.<key>', '`captureResponseHeaders`'),
  ],
} as const;

/** Attributes of the `exception` span event (stable semconv). */
export const EXCEPTION_EVENT = {
  name: 'exception',
  description: 'A failed operation (recordException)',
  attributes: [recommended('exception.type'), recommended('exception.message'), recommended('exception.stacktrace')],
} as const;
