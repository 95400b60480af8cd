import { trace } from '@opentelemetry/api';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPoint } from '@threadline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig, startTelemetry, type TelemetryHandle, type TelemetryOptions } from '../src/index.js';
import { classifyExportFailure, exporterTarget } from '../src/export-warnings.js';
import { captureWarnings, nextWarnings } from './support/warnings.js';

let handle: TelemetryHandle | undefined;
const capture = captureWarnings();
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  capture.warnings.length = 0;
});

/** Three batches through a failing exporter: the warning must come once, the drops every time. */
async function exportThreeBatches(options: TelemetryOptions): Promise<TelemetryHandle> {
  handle = startTelemetry({ serviceName: 'warnings', metricsExporter: 'none', http: false, otlpTimeoutMillis: 1000, env: {}, ...options });
  for (let batch = 0; batch < 3; batch++) {
    trace.getTracer('app').startSpan(`op ${batch}`).end();
    await handle.forceFlush();
  }
  await nextWarnings();
  return handle;
}

const dropped = (h: TelemetryHandle) => findPoint(h.collector, 'threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'span_export_failed' })?.value;

describe('export failures warn once at the default log level, naming what to change', () => {
  it('file exporter directory that cannot be written', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tl-warn-'));
    await writeFile(join(parent, 'a-file'), '');
    const directory = join(parent, 'a-file', 'telemetry');
    const h = await exportThreeBatches({ tracesExporter: 'file', fileDirectory: directory });
    expect(capture.warnings.map((w) => w.code)).toEqual(['THREADLINE_EXPORT_UNWRITABLE']);
    expect(capture.warnings[0]!.message).toContain(`"${directory}"`);
    expect(capture.warnings[0]!.message).toContain('THREADLINE_FILE_DIRECTORY');
    expect(dropped(h)).toBe(3);
  });

  it('OTLP endpoint that refuses connections', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const h = await exportThreeBatches({ tracesExporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: `http://127.0.0.1:${port}` });
    expect(capture.warnings.map((w) => w.code)).toEqual(['THREADLINE_EXPORT_REFUSED']);
    expect(capture.warnings[0]!.message).toContain(`http://127.0.0.1:${port}/v1/traces`);
    expect(capture.warnings[0]!.message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(dropped(h)).toBe(3);
  });

  it('grpc protocol against an OTLP/HTTP server', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const h = await exportThreeBatches({ tracesExporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: url });
      expect(capture.warnings.map((w) => w.code)).toEqual(['THREADLINE_EXPORT_PROTOCOL_MISMATCH']);
      expect(capture.warnings[0]!.message).toMatch(/OTLP grpc export to http:\/\/127\.0\.0\.1:\d+ failed \(the server does not speak gRPC\).*OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf/);
      expect(dropped(h)).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names the port to use when the protocol and the well-known OTLP port disagree', () => {
    const grpcAtHttpPort = resolveConfig({ tracesExporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: 'http://collector:4318' }, {});
    expect(classifyExportFailure(exporterTarget('traces', 'otlp', grpcAtHttpPort), new Error('14 UNAVAILABLE: Connection dropped'))).toEqual({
      kind: 'protocol_mismatch',
      advice: expect.stringMatching(/port 4318, the OTLP\/HTTP port; point OTEL_EXPORTER_OTLP_ENDPOINT at port 4317 or set OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf/),
    });
    const httpAtGrpcPort = resolveConfig({ tracesExporter: 'otlp', otlpEndpoint: 'http://collector:4317' }, {});
    expect(classifyExportFailure(exporterTarget('traces', 'otlp', httpAtGrpcPort), new Error('socket hang up')).kind).toBe('protocol_mismatch');
  });
});
