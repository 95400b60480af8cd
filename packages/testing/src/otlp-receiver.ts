import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpJsonLogs, decodeOtlpJsonSpans, otlpAttributes, otlpIdToHex, type OtlpJsonLogRecord, otlpServiceName, type InstrumentKind, type OtlpJsonSpan, type OtlpSpanKind } from '@threadline/core';
import { recordMetric, recordSpan } from './conformance/recorder.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from './otlp-protobuf.js';

export type ReceivedSpanKind = OtlpSpanKind;

/** A span as the receiver decoded it (core's OTLP/JSON reader). */
export type ReceivedSpan = OtlpJsonSpan;

/** A log record as the receiver decoded it (core's OTLP/JSON reader). */
export type ReceivedLogRecord = OtlpJsonLogRecord;

export interface ReceivedMetricPoint {
  readonly serviceName: string | undefined;
  readonly name: string;
  readonly unit: string | undefined;
  readonly type: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';
  readonly attributes: Record<string, unknown>;
  /** Sum and gauge value, or histogram count. */
  readonly value: number;
  readonly sum?: number;
  readonly bucketCounts?: readonly number[];
  readonly explicitBounds?: readonly number[];
  /** Histogram exemplars: the value and the ids of the span it was recorded in. */
  readonly exemplars?: readonly { traceId: string; spanId: string; value: number }[];
}

export interface OtlpReceiver {
  /** e.g. http://127.0.0.1:4318 — use as OTEL_EXPORTER_OTLP_ENDPOINT (http/json or http/protobuf). */
  readonly endpoint: string;
  spans(): ReceivedSpan[];
  logs(): ReceivedLogRecord[];
  /** Every metric point received, newest export last (points are cumulative: read the last). */
  metricPoints(): ReceivedMetricPoint[];
  /** The newest point of `name` whose attributes include `attributes` (optionally from one service). */
  latestPoint(name: string, attributes?: Record<string, unknown>, serviceName?: string): ReceivedMetricPoint | undefined;
  waitFor<T>(probe: () => T | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Every request body as it arrived (gunzipped), for byte-level scans such as the privacy check. */
  bodies(): Buffer[];
  /** Requests that could not be decoded: a test should expect none. */
  readonly rejected: number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type JsonArray = Json[];

/**
 * An in-process OTLP/HTTP receiver (http/json and http/protobuf) for end-to-end tests: the real exporters of every
 * process send to it, and tests assert on what a trace backend would have received.
 */
export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const logRecords: ReceivedLogRecord[] = [];
  const points: ReceivedMetricPoint[] = [];
  const bodies: Buffer[] = [];
  let rejected = 0;

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const server: Server = createServer(async (req, res) => {
    try {
      let body = await readBody(req);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      bodies.push(body);
      const contentType = String(req.headers['content-type'] ?? '');
      const isTraces = req.url?.startsWith('/v1/traces') ?? false;
      const isLogs = req.url?.startsWith('/v1/logs') ?? false;
      const isProtobuf = contentType.includes('protobuf');
      if (!isProtobuf && !contentType.includes('json')) {
        rejected++;
        res.writeHead(415).end();
        return;
      }
      const payload = isProtobuf
        ? isTraces
          ? decodeTraceRequest(body)
          : isLogs
            ? decodeLogsRequest(body)
            : decodeMetricsRequest(body)
        : (JSON.parse(body.toString('utf8')) as Json);
      if (isTraces) ingestTraces(payload);
      else if (isLogs) logRecords.push(...decodeOtlpJsonLogs(payload));
      else if (req.url?.startsWith('/v1/metrics')) ingestMetrics(payload);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch {
      rejected++;
      res.writeHead(400).end();
    }
  });

  function ingestTraces(payload: Json): void {
    const decoded = decodeOtlpJsonSpans(payload);
    spans.push(...decoded);
    // What child-process apps export is checked too (the suites' vitest setup file).
    for (const s of decoded) recordSpan({ scope: s.scope, name: s.name, kind: s.kind, attributes: s.attributes, events: s.events, source: `otlp ${s.serviceName ?? ''}`.trim() });
  }

  function ingestMetrics(payload: Json): void {
    for (const rm of (payload.resourceMetrics as JsonArray | undefined) ?? []) {
      const serviceName = otlpServiceName(rm.resource);
      for (const sm of (rm.scopeMetrics as JsonArray | undefined) ?? []) {
        const scope = ((sm.scope as Json | undefined)?.name as string | undefined) || undefined;
        for (const m of (sm.metrics as JsonArray | undefined) ?? []) {
          const type = (['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'] as const).find((t) => t in m);
          if (!type) continue;
          const instrument = instrumentKind(type, (m[type] as Json).isMonotonic);
          for (const p of ((m[type] as Json).dataPoints as JsonArray | undefined) ?? []) {
            recordMetric({ scope, name: m.name as string, unit: (m.unit as string | undefined) || undefined, instrument, attributes: otlpAttributes(p.attributes), source: `otlp ${serviceName ?? ''}`.trim() });
            const isHistogram = type === 'histogram';
            points.push({
              serviceName,
              name: m.name as string,
              unit: m.unit as string | undefined,
              type,
              attributes: otlpAttributes(p.attributes),
              value: isHistogram ? Number(p.count ?? 0) : Number(p.asDouble ?? p.asInt ?? 0),
              ...(isHistogram
                ? {
                    sum: Number(p.sum ?? 0),
                    bucketCounts: ((p.bucketCounts as unknown[] | undefined) ?? []).map(Number),
                    explicitBounds: ((p.explicitBounds as unknown[] | undefined) ?? []).map(Number),
                    exemplars: ((p.exemplars as JsonArray | undefined) ?? []).map((e) => ({
                      traceId: otlpIdToHex(e.traceId),
                      spanId: otlpIdToHex(e.spanId),
                      value: Number(e.asDouble ?? e.asInt ?? 0),
                    })),
                  }
                : {}),
            });
          }
        }
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    spans: () => [...spans],
    logs: () => [...logRecords],
    metricPoints: () => [...points],
    bodies: () => [...bodies],
    latestPoint(name, attrs = {}, serviceName) {
      for (let i = points.length - 1; i >= 0; i--) {
        const p = points[i] as ReceivedMetricPoint;
        if (p.name !== name || (serviceName && p.serviceName !== serviceName)) continue;
        if (Object.entries(attrs).every(([k, v]) => p.attributes[k] === v)) return p;
      }
      return undefined;
    },
    async waitFor(probe, timeoutMs = 15_000, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received spans: [${spans.map((s) => `${s.serviceName}:${s.name}`).join(', ')}]`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    get rejected() {
      return rejected;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The instrument an OTLP metric came from, as far as its data type tells. */
function instrumentKind(type: string, isMonotonic: unknown): InstrumentKind | undefined {
  if (type === 'histogram') return 'histogram';
  if (type === 'gauge') return 'gauge';
  if (type === 'sum') return isMonotonic === true ? 'counter' : 'updowncounter';
  return undefined;
}
