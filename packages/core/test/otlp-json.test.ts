import { describe, expect, it } from 'vitest';
import { decodeOtlpJsonSpans, otlpIdToHex } from '../src/index.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('decodeOtlpJsonSpans', () => {
  it('reads a TracesData document: service, scope, ids, kind, attributes, status, links, events', () => {
    const [span] = decodeOtlpJsonSpans({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders-api' } }] },
          scopeSpans: [
            {
              scope: { name: '@threadline/knex' },
              spans: [
                {
                  traceId: TRACE,
                  spanId: SPAN,
                  parentSpanId: '',
                  name: 'SELECT orders',
                  kind: 3,
                  startTimeUnixNano: '1795239827405000000',
                  endTimeUnixNano: 1795239827406000000,
                  attributes: [
                    { key: 'db.system.name', value: { stringValue: 'postgresql' } },
                    { key: 'server.port', value: { intValue: '5432' } },
                    { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
                  ],
                  status: { code: 2, message: 'boom' },
                  links: [{ traceId: TRACE, spanId: SPAN }],
                  events: [{ name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: '23505' } }] }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span).toMatchObject({
      serviceName: 'orders-api',
      scope: '@threadline/knex',
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: undefined,
      kind: 'CLIENT',
      attributes: { 'db.system.name': 'postgresql', 'server.port': 5432, tags: ['a', true] },
      statusCode: 'ERROR',
      statusMessage: 'boom',
      startTimeUnixNano: 1795239827405000000n,
      links: [{ traceId: TRACE, spanId: SPAN }],
      events: [{ name: 'exception', attributes: { 'exception.type': '23505' } }],
    });
  });

  it('accepts base64 ids and yields nothing for metric documents or garbage', () => {
    expect(otlpIdToHex(Buffer.from(TRACE, 'hex').toString('base64'))).toBe(TRACE);
    expect(otlpIdToHex(SPAN.toUpperCase())).toBe(SPAN);
    for (const junk of [null, 42, 'x', { resourceMetrics: [] }, { resourceSpans: 'nope' }, { resourceSpans: [{ scopeSpans: [{ spans: [null] }] }] }]) {
      expect(() => decodeOtlpJsonSpans(junk)).not.toThrow();
    }
    expect(decodeOtlpJsonSpans({ resourceMetrics: [] })).toEqual([]);
  });
});
