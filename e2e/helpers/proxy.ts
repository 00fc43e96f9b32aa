// A TCP relay in front of the server, so a test can cut one browser's network: every connection
// through it is dropped at once and new ones are refused until `restore()`. Loading a page through
// its port makes that page's HTTP and WebSocket traffic pass here; WebRTC media does not.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CuttableLink {
  port: number;
  baseURL: string;
  /** Drops every open connection (no close frame: like a network failure) and refuses new ones. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableLink(targetPort: number): Promise<CuttableLink> {
  const open = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    baseURL: `http://127.0.0.1:${address.port}`,
    cut: () => {
      blocked = true;
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    restore: () => {
      blocked = false;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of open) s.destroy();
        server.close(() => done());
      }),
  };
}
