import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeMetricsRequest, decodeTraceRequest } from '@threadline/testing';

type Json = Record<string, unknown>;

export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  /** The request as OTLP-JSON, whichever encoding it arrived in. */
  readonly document: Json;
}

export interface ProtobufAwareReceiver {
  readonly endpoint: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** An OTLP/HTTP receiver that decodes both `http/json` and `http/protobuf` requests. */
export async function startProtobufAwareReceiver(): Promise<ProtobufAwareReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    let body = await readBody(req);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const contentType = String(req.headers['content-type'] ?? '');
    const path = req.url ?? '';
    const isTraces = path.startsWith('/v1/traces');
    try {
      const document = contentType.includes('json')
        ? (JSON.parse(body.toString('utf8')) as Json)
        : isTraces
          ? decodeTraceRequest(body)
          : decodeMetricsRequest(body);
      requests.push({ path, contentType, document });
      res.writeHead(200, { 'content-type': contentType }).end(contentType.includes('json') ? '{}' : undefined);
    } catch {
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
