// Runs e2e/outside/gst_peer.py: a participant on GStreamer's webrtcbin (Debian's python3-gi and
// gstreamer1.0-* packages, see scripts/deps.sh), which reports what it decoded as JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../outside/gst_peer.py');
// Debian's interpreter: python3-gi and python3-websockets are installed for it, not for a pyenv.
const python = process.env.GST_PYTHON ?? '/usr/bin/python3';

export interface DecodedCounts {
  /** Decoded frames per incoming video stream, with the size of the last frame. */
  video: Array<{ frames: number; width: number; height: number }>;
  /** Decoded audio buffers per incoming audio stream. */
  audio: number[];
}

export interface GstEvent {
  event: string;
  peerId?: string;
  peers?: Record<string, DecodedCounts> | string[];
  message?: string;
  code?: string;
  /** offer-received: the offer's m-line kinds ("audio", "video", "application"). */
  media?: string[];
  /** offers and answers: their a=setup DTLS roles. */
  setup?: string[];
}

export interface GstPeer {
  pid: number;
  events: GstEvent[];
  /** Resolves with the first event (already seen or coming) that matches, or rejects at the deadline. */
  waitFor(match: (e: GstEvent) => boolean, timeoutMs?: number, what?: string): Promise<GstEvent>;
  peerId(): Promise<string>;
  /** What it decoded from `remoteId` so far (the latest report). */
  decodedFrom(remoteId: string): DecodedCounts;
  /** `leave`, then a close frame; resolves once the process has exited. */
  leave(): Promise<void>;
  /** SIGKILL by pid (the vanishing participant, and the clean-up after a failed test). */
  kill(): Promise<void>;
  errors(): string[];
}

export function gstAvailable(): string | null {
  if (!existsSync(python)) return `${python} missing`;
  return null;
}

export function startGstPeer(baseURL: string, roomId: string, name: string): GstPeer {
  const url = `${baseURL.replace(/^http/, 'ws')}/ws`;
  const child: ChildProcess = spawn(python, [script, '--url', url, '--room', roomId, '--name', name], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: GstEvent[] = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as GstEvent);
      } catch {
        stderr.push(line);
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8').trim();
    if (text) stderr.push(text);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const waitFor = (match: (e: GstEvent) => boolean, timeoutMs = 20_000, what = 'an event'): Promise<GstEvent> =>
    new Promise((resolveEvent, reject) => {
      let seen = 0;
      const timer = setTimeout(() => reject(new Error(`GStreamer peer: no ${what} within ${timeoutMs} ms; last events: ${JSON.stringify(events.filter((e) => e.event !== 'stats').slice(-8))}; stderr: ${stderr.slice(-5).join(' | ')}`)), timeoutMs);
      const check = () => {
        for (; seen < events.length; seen++) {
          if (match(events[seen]!)) {
            clearTimeout(timer);
            resolveEvent(events[seen]!);
            return;
          }
        }
        waiters.push(check);
      };
      check();
    });

  return {
    pid: child.pid ?? -1,
    events,
    waitFor,
    async peerId() {
      const joined = await waitFor((e) => e.event === 'joined', 20_000, '"joined"');
      return joined.peerId ?? '';
    },
    decodedFrom(remoteId: string): DecodedCounts {
      for (let i = events.length - 1; i >= 0; i--) {
        const e = events[i]!;
        if (e.event === 'stats' && e.peers && !Array.isArray(e.peers)) return e.peers[remoteId] ?? { video: [], audio: [] };
      }
      return { video: [], audio: [] };
    },
    async leave() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.write('leave\n');
      await exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
    errors: () => events.filter((e) => e.event === 'error').map((e) => `${e.code ?? ''} ${e.message ?? ''}`),
  };
}

/** Sum of decoded video frames and audio buffers, for "still rising" checks. */
export function totals(counts: DecodedCounts): { frames: number; audio: number } {
  return { frames: counts.video.reduce((n, v) => n + v.frames, 0), audio: counts.audio.reduce((n, a) => n + a, 0) };
}
