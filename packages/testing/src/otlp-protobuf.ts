/**
 * A small decoder for OTLP protobuf export requests (traces, metrics and logs) into the OTLP-JSON shape
 * (hex ids, 64-bit integers as decimal strings), so a test receiver can accept the default
 * `http/protobuf` protocol. otlp-transformer 0.300 only encodes; protobufjs is not in the tree.
 */
type Json = Record<string, unknown>;
type FieldType = 'string' | 'bytes' | 'hex' | 'varint' | 'int64' | 'bool' | 'fixed64' | 'fixed32' | 'double' | 'sfixed64' | Schema;
interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
}
type Schema = { readonly [field: number]: Field };

const AnyValue: Schema = {};
const KeyValue: Schema = { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: AnyValue } };
Object.assign(AnyValue, {
  1: { name: 'stringValue', type: 'string' },
  2: { name: 'boolValue', type: 'bool' },
  3: { name: 'intValue', type: 'int64' },
  4: { name: 'doubleValue', type: 'double' },
  5: { name: 'arrayValue', type: { 1: { name: 'values', type: AnyValue, repeated: true } } },
  6: { name: 'kvlistValue', type: { 1: { name: 'values', type: KeyValue, repeated: true } } },
  7: { name: 'bytesValue', type: 'bytes' },
});
const attributes = (n: number): Schema => ({ [n]: { name: 'attributes', type: KeyValue, repeated: true } });
const Resource: Schema = { ...attributes(1), 2: { name: 'droppedAttributesCount', type: 'varint' } };
const Scope: Schema = { 1: { name: 'name', type: 'string' }, 2: { name: 'version', type: 'string' }, ...attributes(3) };

const Span: Schema = {
  1: { name: 'traceId', type: 'hex' },
  2: { name: 'spanId', type: 'hex' },
  3: { name: 'traceState', type: 'string' },
  4: { name: 'parentSpanId', type: 'hex' },
  5: { name: 'name', type: 'string' },
  6: { name: 'kind', type: 'varint' },
  7: { name: 'startTimeUnixNano', type: 'fixed64' },
  8: { name: 'endTimeUnixNano', type: 'fixed64' },
  ...attributes(9),
  10: { name: 'droppedAttributesCount', type: 'varint' },
  11: { name: 'events', type: { 1: { name: 'timeUnixNano', type: 'fixed64' }, 2: { name: 'name', type: 'string' }, ...attributes(3) }, repeated: true },
  13: {
    name: 'links',
    type: { 1: { name: 'traceId', type: 'hex' }, 2: { name: 'spanId', type: 'hex' }, 3: { name: 'traceState', type: 'string' }, ...attributes(4), 6: { name: 'flags', type: 'fixed32' } },
    repeated: true,
  },
  15: { name: 'status', type: { 2: { name: 'message', type: 'string' }, 3: { name: 'code', type: 'varint' } } },
  16: { name: 'flags', type: 'fixed32' },
};
const TraceRequest: Schema = {
  1: {
    name: 'resourceSpans',
    repeated: true,
    type: { 1: { name: 'resource', type: Resource }, 2: { name: 'scopeSpans', repeated: true, type: { 1: { name: 'scope', type: Scope }, 2: { name: 'spans', type: Span, repeated: true } } } },
  },
};

const NumberPoint: Schema = {
  ...attributes(7),
  2: { name: 'startTimeUnixNano', type: 'fixed64' },
  3: { name: 'timeUnixNano', type: 'fixed64' },
  4: { name: 'asDouble', type: 'double' },
  6: { name: 'asInt', type: 'sfixed64' },
};
const HistogramPoint: Schema = {
  ...attributes(9),
  2: { name: 'startTimeUnixNano', type: 'fixed64' },
  3: { name: 'timeUnixNano', type: 'fixed64' },
  4: { name: 'count', type: 'fixed64' },
  5: { name: 'sum', type: 'double' },
  6: { name: 'bucketCounts', type: 'fixed64', repeated: true },
  7: { name: 'explicitBounds', type: 'double', repeated: true },
  8: {
    name: 'exemplars',
    repeated: true,
    type: { 2: { name: 'timeUnixNano', type: 'fixed64' }, 3: { name: 'asDouble', type: 'double' }, 6: { name: 'asInt', type: 'sfixed64' }, 4: { name: 'spanId', type: 'hex' }, 5: { name: 'traceId', type: 'hex' } },
  },
  11: { name: 'min', type: 'double' },
  12: { name: 'max', type: 'double' },
};
const Metric: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'description', type: 'string' },
  3: { name: 'unit', type: 'string' },
  5: { name: 'gauge', type: { 1: { name: 'dataPoints', type: NumberPoint, repeated: true } } },
  7: {
    name: 'sum',
    type: { 1: { name: 'dataPoints', type: NumberPoint, repeated: true }, 2: { name: 'aggregationTemporality', type: 'varint' }, 3: { name: 'isMonotonic', type: 'bool' } },
  },
  9: { name: 'histogram', type: { 1: { name: 'dataPoints', type: HistogramPoint, repeated: true }, 2: { name: 'aggregationTemporality', type: 'varint' } } },
};
const MetricsRequest: Schema = {
  1: {
    name: 'resourceMetrics',
    repeated: true,
    type: { 1: { name: 'resource', type: Resource }, 2: { name: 'scopeMetrics', repeated: true, type: { 1: { name: 'scope', type: Scope }, 2: { name: 'metrics', type: Metric, repeated: true } } } },
  },
};

const LogRecord: Schema = {
  1: { name: 'timeUnixNano', type: 'fixed64' },
  11: { name: 'observedTimeUnixNano', type: 'fixed64' },
  2: { name: 'severityNumber', type: 'varint' },
  3: { name: 'severityText', type: 'string' },
  5: { name: 'body', type: AnyValue },
  ...attributes(6),
  8: { name: 'flags', type: 'fixed32' },
  9: { name: 'traceId', type: 'hex' },
  10: { name: 'spanId', type: 'hex' },
  12: { name: 'eventName', type: 'string' },
};
const LogsRequest: Schema = {
  1: {
    name: 'resourceLogs',
    repeated: true,
    type: { 1: { name: 'resource', type: Resource }, 2: { name: 'scopeLogs', repeated: true, type: { 1: { name: 'scope', type: Scope }, 2: { name: 'logRecords', type: LogRecord, repeated: true } } } },
  },
};

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  }
  take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function scalar(type: Exclude<FieldType, Schema>, wire: number, r: Reader): unknown {
  switch (type) {
    case 'string':
      return r.take(Number(r.varint())).toString('utf8');
    case 'bytes':
      return r.take(Number(r.varint())).toString('base64');
    case 'hex':
      return r.take(Number(r.varint())).toString('hex');
    case 'varint':
      return Number(r.varint());
    case 'bool':
      return r.varint() !== 0n;
    case 'int64':
      return BigInt.asIntN(64, r.varint()).toString();
    case 'fixed64':
      return wire === 1 ? r.take(8).readBigUInt64LE().toString() : undefined;
    case 'sfixed64':
      return r.take(8).readBigInt64LE().toString();
    case 'fixed32':
      return r.take(4).readUInt32LE();
    case 'double':
      return r.take(8).readDoubleLE();
  }
}

function skip(wire: number, r: Reader): void {
  if (wire === 0) r.varint();
  else if (wire === 1) r.take(8);
  else if (wire === 2) r.take(Number(r.varint()));
  else if (wire === 5) r.take(4);
  else throw new Error(`unsupported wire type ${wire}`);
}

function decode(buf: Buffer, schema: Schema): Json {
  const out: Json = {};
  const r = new Reader(buf);
  while (!r.done) {
    const key = Number(r.varint());
    const field = schema[key >>> 3];
    const wire = key & 7;
    if (!field) {
      skip(wire, r);
      continue;
    }
    const values: unknown[] = [];
    if (typeof field.type === 'object') values.push(decode(r.take(Number(r.varint())), field.type));
    else if (wire === 2 && field.repeated && (field.type === 'fixed64' || field.type === 'double')) {
      const packed = new Reader(r.take(Number(r.varint())));
      while (!packed.done) values.push(scalar(field.type, 1, packed));
    } else values.push(scalar(field.type, wire, r));
    if (field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), ...values];
    else out[field.name] = values[0];
  }
  return out;
}

/** `ExportTraceServiceRequest` bytes → `{ resourceSpans: [...] }` as in OTLP-JSON. */
export function decodeTraceRequest(body: Buffer): Json {
  return decode(body, TraceRequest);
}

/** `ExportMetricsServiceRequest` bytes → `{ resourceMetrics: [...] }` as in OTLP-JSON. */
export function decodeMetricsRequest(body: Buffer): Json {
  return decode(body, MetricsRequest);
}

/** `ExportLogsServiceRequest` bytes → `{ resourceLogs: [...] }` as in OTLP-JSON. */
export function decodeLogsRequest(body: Buffer): Json {
  return decode(body, LogsRequest);
}
