import './telemetry';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, config } from './config';

/** A downstream HTTP service: its server span joins the caller's trace through traceparent. */
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(req.url === '/notify' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ notified: req.url === '/notify' }));
  });
});
server.listen(config.port, '127.0.0.1', () => announceReady({ port: (server.address() as AddressInfo).port }));
process.once('SIGTERM', () => server.close());
