import type { HrTime } from '@opentelemetry/api';

/** An exemplar as the threadline collector's MetricProducer puts it on a histogram data point. */
export interface PointExemplar {
  readonly value: number;
  readonly timestamp: HrTime;
  readonly traceId: string;
  readonly spanId: string;
}

/** Exemplar lists by `scope\0metric`, one entry per data point (undefined: none). */
export type ExemplarsByMetric = ReadonlyMap<string, readonly (readonly PointExemplar[] | undefined)[]>;

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let factor = 1;
  for (;;) {
    const byte = buf[pos++] as number;
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) return [value, pos];
    factor *= 128;
  }
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

function lengthDelimited(field: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(body.length)]), body]);
}

/**
 * Copies a message field by field; a length-delimited field for which `replace` returns bytes is
 * written with those instead (lengths re-encoded), everything else byte for byte.
 */
function rewrite(buf: Uint8Array, replace: (field: number, value: Uint8Array) => Uint8Array | undefined): Buffer {
  const parts: Uint8Array[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, afterKey] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    pos = afterKey;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [length, bodyStart] = readVarint(buf, pos);
      pos = bodyStart + length;
      const replaced = replace(field, buf.subarray(bodyStart, pos));
      if (replaced) {
        parts.push(lengthDelimited(field, replaced));
        continue;
      }
    } else throw new Error(`unsupported wire type ${wire}`);
    parts.push(buf.subarray(start, pos));
  }
  return Buffer.concat(parts);
}

/** The string in field `wanted` of a message, or ''. */
function stringField(buf: Uint8Array, wanted: number): string {
  let found = '';
  rewrite(buf, (field, value) => {
    if (field === wanted) found = Buffer.from(value).toString('utf8');
    return undefined;
  });
  return found;
}

function encodeExemplar(e: PointExemplar): Buffer {
  const time = Buffer.alloc(9);
  time[0] = (2 << 3) | 1;
  time.writeBigUInt64LE(BigInt(e.timestamp[0]) * 1_000_000_000n + BigInt(e.timestamp[1]), 1);
  const value = Buffer.alloc(9);
  value[0] = (3 << 3) | 1;
  value.writeDoubleLE(e.value, 1);
  return Buffer.concat([time, value, lengthDelimited(4, Buffer.from(e.spanId, 'hex')), lengthDelimited(5, Buffer.from(e.traceId, 'hex'))]);
}

/**
 * Adds the exemplars to an `ExportMetricsServiceRequest` the SDK serialized without them
 * (HistogramDataPoint field 8), matching points by scope, metric name and position.
 */
export function withProtobufExemplars(bytes: Uint8Array, exemplars: ExemplarsByMetric): Uint8Array {
  return rewrite(bytes, (field, resourceMetrics) =>
    field !== 1
      ? undefined
      : rewrite(resourceMetrics, (f, scopeMetrics) => {
          if (f !== 2) return undefined;
          let scopeName = '';
          rewrite(scopeMetrics, (g, value) => ((scopeName = g === 1 ? stringField(value, 1) : scopeName), undefined));
          return rewrite(scopeMetrics, (g, metric) => {
            if (g !== 2) return undefined;
            const lists = exemplars.get(`${scopeName}\u0000${stringField(metric, 1)}`);
            if (!lists) return undefined;
            return rewrite(metric, (h, histogram) => {
              if (h !== 9) return undefined;
              let index = 0;
              return rewrite(histogram, (i, point) => {
                if (i !== 1) return undefined;
                const list = lists[index++];
                return list ? Buffer.concat([point, ...list.map((e) => lengthDelimited(8, encodeExemplar(e)))]) : undefined;
              });
            });
          });
        }),
  );
}
