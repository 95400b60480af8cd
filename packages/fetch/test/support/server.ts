import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the server received for one request: how the trace context crossed the wire. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly traceparent: string | undefined;
  /** How many traceparent headers arrived (a duplicate would be a bug). */
  readonly traceparentCount: number;
}

export interface TestServer {
  readonly origin: string;
  readonly port: number;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

const BIG_BODY = Buffer.alloc(8 * 1024 * 1024, 'x');

// Answers per `/flaky/{key}/…` key, so each test's flaky URL fails on its own count.
const attempts = new Map<string, number>();

function route(req: IncomingMessage, res: ServerResponse): void {
  const [path] = (req.url ?? '/').split('?');
  const parts = (path ?? '/').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'flaky': {
      // /flaky/{key}/{failures}[/reset|/redirect]: `failures` answers of 503 (or a reset socket),
      // then 200 (or a 302 to /hello).
      const key = parts[1] ?? '';
      const seen = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, seen);
      if (seen <= Number(parts[2])) {
        if (parts[3] === 'reset') req.socket.destroy();
        else res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      } else if (parts[3] === 'redirect') res.writeHead(302, { location: '/hello' }).end();
      else res.end(`arrived after ${seen - 1}`);
      return;
    }
    case 'to-flaky':
      res.writeHead(302, { location: `/flaky/${parts[1]}/${parts[2]}` });
      res.end();
      return;
    case 'status':
      res.statusCode = Number(parts[1]);
      res.end(res.statusCode === 204 ? undefined : 'status');
      return;
    case 'redirect': {
      const left = Number(parts[1]);
      if (left > 0) {
        res.writeHead(302, { location: `/redirect/${left - 1}` });
        res.end();
      } else res.end('arrived');
      return;
    }
    case 'big':
      // Far beyond the socket and stream buffers: unread, undici never sees the end of it.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(BIG_BODY);
      return;
    case 'stream': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`chunk ${sent}\n`);
        if (++sent === 5) {
          clearInterval(timer);
          res.end();
        }
      }, 50);
      return;
    }
    case 'hang':
      return;
    default:
      res.writeHead(200, { 'content-type': 'text/plain', 'x-res': 'response-value', 'set-cookie': 'secret=1' });
      res.end('ok');
  }
}

/** A real node:http server on loopback, recording the propagation headers it receives. */
export async function startServer(): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let traceparentCount = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'traceparent') traceparentCount++;
    const traceparent = req.headers.traceparent;
    seen.push({ method: req.method ?? '', url: req.url ?? '', traceparent: Array.isArray(traceparent) ? traceparent[0] : traceparent, traceparentCount });
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}


/** The trace id and parent span id a traceparent header carries. */
export function parseTraceparent(value: string | undefined): { traceId: string; spanId: string } | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(value ?? '');
  return match ? { traceId: match[1] as string, spanId: match[2] as string } : undefined;
}
