// A real coturn (Debian's turnserver) on loopback, on ports it is free to use, with the TURN REST
// shared secret (use-auth-secret) that PulseMeet's TURN_SECRET must match. Stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

export interface RunningTurn {
  port: number;
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 for both TCP and UDP (coturn listens on both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const udp = createSocket('udp4');
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => udp.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free TCP+UDP port on 127.0.0.1');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startCoturn(secret: string, startTimeoutMs = 15_000): Promise<RunningTurn> {
  const port = await freePort();
  // A relay range of its own, away from the listening port and from other runs.
  const minPort = 40_000 + Math.floor(Math.random() * 200) * 100;
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 99}`,
    '--realm=pulsemeet',
    '--fingerprint',
    '--no-tls',
    '--no-dtls',
    // Only because everything here is loopback; production configs deny these (deploy/).
    '--allow-loopback-peers',
    '--no-cli',
    '--log-file=stdout',
    '--simple-log',
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
  ];
  const child = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  child.stdout?.on('data', (c: Buffer) => logs.push(c.toString('utf8').trimEnd()));
  child.stderr?.on('data', (c: Buffer) => logs.push(c.toString('utf8').trimEnd()));
  const deadline = Date.now() + startTimeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`turnserver exited (code ${child.exitCode}):\n${logs.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver did not listen on ${port} within ${startTimeoutMs} ms:\n${logs.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url: `turn:127.0.0.1:${port}?transport=udp`, logs, stop: () => terminate(child) };
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}
