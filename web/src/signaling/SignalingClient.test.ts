import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakes';
import { SignalingClient, browserWakeUps, type ConnectionState, type JoinedEvent } from './SignalingClient';

/** Stands in for the browser's `online` / tab-visible events. */
class FakeWakeUps {
  listeners = new Set<() => void>();
  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  fire(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

function make(random = () => 0.5) {
  FakeSocket.instances = [];
  const wake = new FakeWakeUps();
  const client = new SignalingClient({
    url: 'ws://test/ws',
    createSocket: (url) => new FakeSocket(url),
    random,
    backoff: { baseMs: 500, maxMs: 4000, maxAttempts: 4, persistentMaxMs: 30_000 },
    subscribeWakeUps: wake.subscribe,
  });
  const states: ConnectionState[] = [];
  client.on('state', (s) => states.push(s));
  const joined: JoinedEvent[] = [];
  client.on('joined', (j) => joined.push(j));
  return { client, states, joined, wake, sock: () => FakeSocket.instances[FakeSocket.instances.length - 1]! };
}

/** Advances fake time in 10 ms steps until a new socket is made; returns how long that took. */
function waitForNextSocket(limitMs = 120_000): number {
  const before = FakeSocket.instances.length;
  let waited = 0;
  while (FakeSocket.instances.length === before) {
    vi.advanceTimersByTime(10);
    waited += 10;
    if (waited > limitMs) throw new Error('no reconnect');
  }
  return waited;
}

/** Joined, then the server went away and every quick attempt failed: the client says 'failed'. */
function exhausted(random: () => number) {
  const t = make(random);
  t.client.join('room-1', 'A');
  t.sock().open();
  t.sock().drop();
  for (let i = 0; i < 4; i++) {
    waitForNextSocket();
    t.sock().drop(1006);
  }
  expect(t.client.state).toBe('failed');
  return t;
}

const roomJoined = (peerId: string, resumeToken = `tok-${peerId}`) => ({
  type: 'room-joined',
  roomId: 'brave-otter-42',
  peerId,
  data: { peers: [], resumeToken, iceServers: [] },
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SignalingClient connection and join', () => {
  it('connects to the url, joins on open with the name', () => {
    const { client, sock, states } = make();
    client.join('brave-otter-42', 'Ada');
    expect(sock().url).toBe('ws://test/ws');
    expect(states).toEqual(['connecting']);
    sock().open();
    expect(states).toEqual(['connecting', 'open']);
    expect(sock().sent).toEqual([{ type: 'join', roomId: 'brave-otter-42', data: { name: 'Ada', received: 0, sfu: true } }]);
  });

  it('sends the name without control or bidi-override characters', () => {
    const { client, sock } = make();
    client.join('room-1', ' Mal\u202elory\u0085\u0007 ');
    sock().open();
    expect(sock().sent).toEqual([{ type: 'join', roomId: 'room-1', data: { name: 'Mallory', received: 0, sfu: true } }]);
  });

  it('sends an app-level ping every 5 s', () => {
    const { client, sock } = make();
    client.join('room-1', 'A');
    sock().open();
    vi.advanceTimersByTime(4_999);
    expect(sock().sentOfType('ping')).toHaveLength(0);
    sock().receive({ type: 'pong' }); // keep the heartbeat watchdog happy
    vi.advanceTimersByTime(1);
    expect(sock().sentOfType('ping')).toHaveLength(1);
    sock().receive({ type: 'pong' });
    vi.advanceTimersByTime(5_000);
    expect(sock().sentOfType('ping')).toHaveLength(2);
  });

  it('treats 15 s without any message as a dead socket and reconnects', () => {
    const { client, sock, states } = make(() => 0);
    client.join('room-1', 'A');
    const first = sock();
    first.open();
    vi.advanceTimersByTime(14_000);
    first.receive({ type: 'pong' }); // any message resets the deadline
    vi.advanceTimersByTime(14_999);
    expect(first.closedByClient).toBe(false);
    vi.advanceTimersByTime(1);
    expect(first.closedByClient).toBe(true);
    // Not 1000: the server would take that as a hang-up and end our place at once.
    expect(first.closeCode).toBe(4000);
    expect(states.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(250); // attempt 0 with random 0 -> 500/2
    expect(FakeSocket.instances).toHaveLength(2);
    // A late close event from the dead socket must not schedule a second reconnect.
    first.drop();
    vi.advanceTimersByTime(20_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });
});

describe('SignalingClient reconnect backoff', () => {
  it('uses capped exponential delays with jitter, then says failed', () => {
    const { client, sock, states } = make(() => 0.999);
    client.join('room-1', 'A');
    sock().open();
    sock().drop();
    const delays: number[] = [];
    // Each retry fails to connect; measure when the next socket appears.
    for (let i = 0; i < 4; i++) {
      delays.push(waitForNextSocket());
      sock().drop(1006);
    }
    // ceilings 500, 1000, 2000, 4000 (capped); random ~1 -> close to the ceiling
    expect(delays[0]).toBeGreaterThan(490);
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(delays[1]).toBeGreaterThan(990);
    expect(delays[2]).toBeGreaterThan(1990);
    expect(delays[3]).toBeGreaterThan(3990);
    expect(delays[3]).toBeLessThanOrEqual(4000);
    expect(client.state).toBe('failed');
    expect(states.at(-1)).toBe('failed');
  });

  it('after the last quick attempt keeps trying, at most 30 s apart and jittered, and rejoins when the server is back', () => {
    const { client, sock, states } = exhausted(() => 0.999);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(waitForNextSocket());
      sock().drop(1006);
    }
    // attempt 4: ceiling min(30 s, 500 * 2^4) = 8 s, then 16 s, then the 30 s cap; random ~1 -> close to it.
    expect(delays[0]).toBeGreaterThan(7_900);
    expect(delays[1]).toBeGreaterThan(15_900);
    for (const d of delays.slice(2)) {
      expect(d).toBeGreaterThan(29_900);
      expect(d).toBeLessThanOrEqual(30_000);
    }
    // While it tries in the background the state stays 'failed' (no blinking back to
    // 'reconnecting'); the server being back is what ends it.
    expect(states.slice(states.indexOf('failed'))).toEqual(['failed']);
    waitForNextSocket();
    sock().open();
    expect(client.state).toBe('open');
    expect(sock().sentOfType('join')).toHaveLength(1);
  });

  it('jitters the background retries: random 0 waits half the cap', () => {
    const { client, sock } = exhausted(() => 0);
    const delays = [0, 1, 2].map(() => {
      const d = waitForNextSocket();
      sock().drop(1006);
      return d;
    });
    // attempt 4: ceiling min(30 s, 500 * 2^4 = 8 s) -> 4 s; then 16 s -> 8 s; then 30 s -> 15 s.
    expect(delays).toEqual([4_000, 8_000, 15_000]);
    expect(client.state).toBe('failed');
  });

  it('the browser going online or the tab becoming visible retries at once', () => {
    const { client, sock, wake, states } = exhausted(() => 0.999);
    const count = FakeSocket.instances.length;
    wake.fire();
    expect(FakeSocket.instances.length).toBe(count + 1); // no waiting for the 30 s timer
    // A second wake-up while that attempt is under way does not open another socket.
    wake.fire();
    expect(FakeSocket.instances.length).toBe(count + 1);
    sock().open();
    expect(client.state).toBe('open');
    expect(states.at(-1)).toBe('open');
    // Connected: wake-ups do nothing.
    wake.fire();
    expect(FakeSocket.instances.length).toBe(count + 1);
    // And the timer of the cancelled background attempt never fires a stray socket.
    for (let i = 0; i < 12; i++) {
      vi.advanceTimersByTime(5_000);
      sock().receive({ type: 'pong' });
    }
    expect(FakeSocket.instances.length).toBe(count + 1);
  });

  it('a wake-up during the quick backoff also goes at once', () => {
    const { client, sock, wake } = make(() => 0.999);
    client.join('room-1', 'A');
    sock().open();
    sock().drop();
    expect(client.state).toBe('reconnecting');
    const count = FakeSocket.instances.length;
    wake.fire();
    expect(FakeSocket.instances.length).toBe(count + 1);
  });

  it('Retry stays a shortcut: it tries now, and a socket still trying is closed first', () => {
    const { client, sock, states } = exhausted(() => 0.999);
    waitForNextSocket(); // a background attempt is under way
    const inFlight = sock();
    const count = FakeSocket.instances.length;
    client.retry();
    expect(inFlight.closedByClient).toBe(true);
    expect(FakeSocket.instances.length).toBe(count + 1);
    expect(states.at(-1)).toBe('reconnecting');
    expect(client.attempts).toBe(0); // a fresh run of quick attempts
    sock().open();
    expect(client.state).toBe('open');
    expect(sock().sentOfType('join')).toHaveLength(1);
  });

  it('close() stops listening for wake-ups', () => {
    const { client, wake } = exhausted(() => 0.5);
    expect(wake.listeners.size).toBe(1);
    client.close();
    expect(wake.listeners.size).toBe(0);
    const count = FakeSocket.instances.length;
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.instances.length).toBe(count);
  });

  it('the browser wake-ups are `online` and the tab becoming visible', () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    try {
      let woken = 0;
      const stop = browserWakeUps(() => woken++);
      win.dispatchEvent(new Event('online'));
      expect(woken).toBe(1);
      doc.dispatchEvent(new Event('visibilitychange')); // hidden: nothing to do
      expect(woken).toBe(1);
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(woken).toBe(2);
      stop();
      win.dispatchEvent(new Event('online'));
      expect(woken).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('never waits longer than the cap, whatever the attempt', () => {
    FakeSocket.instances = [];
    const client = new SignalingClient({
      url: 'ws://x/ws',
      createSocket: (u) => new FakeSocket(u),
      random: () => 0.999999,
      backoff: { baseMs: 100, maxMs: 1000, maxAttempts: 20, persistentMaxMs: 30_000 },
    });
    client.join('room-1', 'A');
    for (let i = 0; i < 19; i++) {
      const before = FakeSocket.instances.length;
      FakeSocket.instances.at(-1)!.drop();
      vi.advanceTimersByTime(1000);
      expect(FakeSocket.instances.length).toBe(before + 1);
    }
  });

  it('a successful open resets the attempt counter', () => {
    const { client, sock } = make(() => 0);
    client.join('room-1', 'A');
    sock().drop();
    vi.advanceTimersByTime(250);
    sock().drop();
    vi.advanceTimersByTime(500);
    expect(client.attempts).toBe(2);
    sock().open();
    expect(client.attempts).toBe(0);
  });

  it('close 1012 (server restarting) reconnects at once', () => {
    const { client, sock } = make(() => 0.999);
    client.join('room-1', 'A');
    sock().open();
    sock().drop(1012);
    vi.advanceTimersByTime(0);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('close() stops reconnecting and sends leave', () => {
    const { client, sock } = make();
    client.join('room-1', 'A');
    const s = sock();
    s.open();
    client.close();
    expect(s.sentOfType('leave')).toHaveLength(1);
    expect(client.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});

describe('SignalingClient resume', () => {
  it('rejoins with the last resume token and reports whether the peerId survived', () => {
    const { client, sock, joined } = make(() => 0);
    client.join('room-1', 'Ada');
    sock().open();
    sock().receive(roomJoined('p1', 'token-1'));
    expect(joined[0]).toMatchObject({ resumed: false, rejoin: false });

    sock().drop();
    vi.advanceTimersByTime(250);
    sock().open();
    expect(sock().sentOfType('join')[0]).toEqual({ type: 'join', roomId: 'room-1', data: { name: 'Ada', resumeToken: 'token-1', received: 0, sfu: true } });
    sock().receive(roomJoined('p1', 'token-2'));
    expect(joined[1]).toMatchObject({ resumed: true, rejoin: true });

    sock().drop();
    vi.advanceTimersByTime(250);
    sock().open();
    expect(sock().sentOfType('join')[0]).toMatchObject({ data: { resumeToken: 'token-2' } });
    sock().receive(roomJoined('p2', 'token-3'));
    expect(joined[2]).toMatchObject({ resumed: false, rejoin: true });
    expect(client.peerId).toBe('p2');
  });

  it('counts the room messages received since room-joined, for pings and for the resume', () => {
    const { client, sock } = make(() => 0);
    client.join('room-1', 'Ada');
    sock().open();
    sock().receive(roomJoined('p1', 'token-1'));
    sock().receive({ type: 'peer-joined', roomId: 'room-1', peerId: 'p2', data: { name: 'Bob', media: { audio: true, video: true, screen: false } } });
    sock().receive({ type: 'offer', roomId: 'room-1', peerId: 'p2', data: { type: 'offer', sdp: 'v=0\r\n' } });
    sock().receive({ type: 'pong' }); // replies are not counted
    sock().receive({ type: 'error', code: 'peer-not-found', error: 'gone' });
    vi.advanceTimersByTime(5_000);
    expect(sock().sentOfType('ping').at(-1)).toEqual({ type: 'ping', data: { received: 2 } });

    sock().drop();
    vi.advanceTimersByTime(250);
    sock().open();
    expect(sock().sentOfType('join')[0]).toMatchObject({ data: { resumeToken: 'token-1', received: 2 } });
    // room-joined starts a new stream.
    sock().receive(roomJoined('p1', 'token-2'));
    sock().receive({ type: 'ice-candidate', roomId: 'room-1', peerId: 'p2', data: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    vi.advanceTimersByTime(5_000);
    expect(sock().sentOfType('ping').at(-1)).toEqual({ type: 'ping', data: { received: 1 } });
  });

  it('falls back to a fresh join when the server rejects the resume token', () => {
    const { client, sock } = make(() => 0);
    client.join('room-1', 'Ada');
    sock().open();
    sock().receive(roomJoined('p1', 'token-1'));
    sock().drop();
    vi.advanceTimersByTime(250);
    sock().open();
    sock().receive({ type: 'error', code: 'bad-message', error: 'bad resume token' });
    const joins = sock().sentOfType('join');
    expect(joins).toHaveLength(2);
    expect(joins[1]).toEqual({ type: 'join', roomId: 'room-1', data: { name: 'Ada', received: 0, sfu: true } });
  });

  it('drops malformed frames without crashing', () => {
    const { client, sock } = make();
    const messages: unknown[] = [];
    client.on('message', (m) => messages.push(m));
    client.join('room-1', 'A');
    sock().open();
    sock().onmessage?.({ data: '{not json' });
    sock().onmessage?.({ data: JSON.stringify({ type: 'offer', peerId: 'x', data: { type: 'offer' } }) });
    sock().receive({ type: 'pong' });
    expect(messages).toEqual([{ type: 'pong', timestamp: undefined }]);
  });
});
