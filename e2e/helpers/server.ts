// Starts the real pulsemeet binary on a loopback port and stops it. With PORT=0 the server picks a
// free port and announces it in its JSON "listening" log line, which we parse.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const e2eDir = resolve(here, '..');

export function serverBinary(): string {
  return resolve(e2eDir, process.env.PULSEMEET_BIN ?? '../build/release/server/pulsemeet');
}

export function staticDir(): string {
  return resolve(e2eDir, '../web/dist');
}

export interface RunningServer {
  port: number;
  /** The server process's id (for /proc readings). */
  pid: number;
  /** The media server's UDP port; null when it does not run (SFU_MODE=never). */
  mediaPort: number | null;
  /** Its ICE-TCP port; null when it does not run or has no TCP candidate. */
  mediaTcpPort: number | null;
  baseURL: string;
  logs: string[];
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Crash: SIGKILL, no goodbye to the clients. */
  kill(): Promise<void>;
  metric(name: string): Promise<number>;
}

export interface ServerOptions {
  port?: number;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const env: Record<string, string> = {
    ...filteredEnv(),
    PORT: String(opts.port ?? 0),
    HOST: '127.0.0.1',
    STATIC_DIR: staticDir(),
    STUN_URLS: '',
    LOG_FORMAT: 'json',
    // Specs run one after another but a stopping server may still hold its port: never the fixed one.
    MEDIA_PORT: '0',
    // One media worker, so one media port: specs check that a page's connection ends at it. The
    // spread of rooms over workers is covered by server/tests/integration/MediaPlacementTest.cpp.
    MEDIA_WORKERS: '1',
    // Every page of the suite comes from 127.0.0.1, so the per-address limits would count the
    // whole suite as one client: a spec opening more than 20 rooms, or fetching /ice-servers more
    // than 10 times, within a minute would be refused. The server's integration tests cover them.
    MAX_ROOMS_PER_IP_PER_MINUTE: '0',
    MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE: '0',
    ...opts.env,
  };
  const child = spawn(serverBinary(), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  // Logged before "listening": the media server starts before the HTTP listener.
  let mediaPort: number | null = null;
  let mediaTcpPort: number | null = null;
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report "listening" within ${opts.startTimeoutMs ?? 15_000} ms:\n${logs.join('\n')}`)), opts.startTimeoutMs ?? 15_000);
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number; tcp_port?: number };
          if (rec.msg === 'media server listening' && typeof rec.port === 'number') mediaPort = rec.port;
          if (rec.msg === 'media server listening' && typeof rec.tcp_port === 'number') mediaTcpPort = rec.tcp_port;
          if (rec.msg === 'listening' && typeof rec.port === 'number') {
            clearTimeout(timer);
            resolvePort(rec.port);
          }
        } catch {
          /* not JSON: keep it in the log */
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString('utf8').trimEnd()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}):\n${logs.join('\n')}`));
    });
  });
  // The address it listens on (a test may pick one, e.g. a network namespace's pair); loopback for a wildcard.
  const host = env.HOST && env.HOST !== '0.0.0.0' && !env.HOST.includes(':') ? env.HOST : '127.0.0.1';
  const baseURL = `http://${host}:${port}`;
  return {
    port,
    pid: child.pid ?? 0,
    mediaPort,
    mediaTcpPort,
    baseURL,
    logs,
    stop: () => terminate(child, 'SIGTERM'),
    kill: () => terminate(child, 'SIGKILL'),
    metric: async (name: string) => {
      const res = await fetch(`${baseURL}/metrics`);
      const text = await res.text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      if (!line) throw new Error(`metric ${name} not found`);
      return Number(line.split(' ').at(-1));
    },
  };
}

function filteredEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill(signal);
  });
}
