import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { expectAppUnaffected } from './support/exporter-down.js';

it('exporter accepts and never answers: app unaffected, queue bounded, drops counted and reported once', async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume(); // read the request, never write a response
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { exportFailed } = await expectAppUnaffected(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(exportFailed).toBeGreaterThan(0);
    expect(sockets.length).toBeGreaterThan(0);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
