// A TCP front for several server instances, as a load balancer with health checks behaves: each
// new connection goes to the first instance in `targetPorts` that accepts it, so pages loaded
// through it stay on their preferred instance while it lives and land on the next one once it is
// gone. HTTP and WebSocket pass through it; WebRTC media does not (it goes to the media address
// the server's answer names).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FailoverFront {
  port: number;
  baseURL: string;
  close(): Promise<void>;
}

function connectFirst(ports: number[]): Promise<Socket | null> {
  return new Promise((resolve) => {
    const attempt = (i: number) => {
      if (i >= ports.length) {
        resolve(null);
        return;
      }
      const upstream = connect(ports[i] as number, '127.0.0.1');
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        resolve(upstream);
      });
      upstream.once('error', () => {
        upstream.destroy();
        attempt(i + 1);
      });
    };
    attempt(0);
  });
}

export async function startFailoverFront(targetPorts: number[]): Promise<FailoverFront> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    client.pause();
    open.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => open.delete(client));
    void connectFirst(targetPorts).then((upstream) => {
      if (!upstream || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      open.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      upstream.pipe(client);
      client.pipe(upstream);
      client.resume();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('failover front has no port');
  return {
    port: address.port,
    baseURL: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of open) socket.destroy();
        server.close(() => done());
      }),
  };
}
