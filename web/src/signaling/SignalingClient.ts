// The one WebSocket to the signaling server: connect, app-level heartbeat, reconnect with backoff,
// and (re)joining the room with the last resume token. It knows nothing about WebRTC: the Room
// listens to its events and decides what a reconnect means for the peer connections.
import { COUNTED_TYPES, type ClientMessage, type RoomJoinedMessage, type ServerMessage } from '../protocol/messages';
import { parseServerMessage } from '../protocol/guards';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from './backoff';
import { withToken } from '../access/linkOptions';
import { sanitizeDisplayName } from '../protocol/displayName';

/** The subset of the browser WebSocket the client uses; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type ConnectionState =
  | 'idle' // not started
  | 'connecting' // first attempt
  | 'open'
  | 'reconnecting' // waiting for / making a retry
  | 'failed' // maxAttempts used up: still retrying in the background (at most persistentMaxMs apart); retry() tries now
  | 'closed'; // closed by us

export interface SignalingOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Ping period; browsers cannot send WebSocket pings, so the app sends {"type":"ping"}. */
  heartbeatIntervalMs?: number;
  /** Silence (no message at all) this long means the socket is dead even if it looks open. */
  heartbeatTimeoutMs?: number;
  /**
   * Asked after a socket closed without ever opening: a refusal code (token expired, ...) when
   * the server turned us away on purpose, so we stop retrying; null to retry as usual.
   */
  diagnoseRefusal?: () => Promise<string | null>;
  /**
   * Events that make a waiting reconnect worth trying at once (the browser is back online, the
   * tab became visible): subscribes `fn`, returns the unsubscribe. Default: the browser's.
   */
  subscribeWakeUps?: (fn: () => void) => () => void;
}

export interface JoinedEvent {
  message: RoomJoinedMessage;
  /** True when the server gave back the peerId we had before the drop (resume honoured). */
  resumed: boolean;
  /** True when this is a rejoin after a reconnect (resumed or not). */
  rejoin: boolean;
}

type Listener<T> = (value: T) => void;

interface Events {
  state: ConnectionState;
  message: ServerMessage;
  joined: JoinedEvent;
  /** The server refused the upgrade on purpose (the code says why); the client has stopped. */
  refused: string;
}

const OPEN = 1;

/** Close codes with a meaning in DESIGN.md. */
export const CLOSE_SERVER_RESTART = 1012;
/** Our own close of a socket we gave up on before reconnecting (application range 4000-4999). */
export const CLOSE_RECONNECTING = 4000;
export const CLOSE_TOO_SLOW = 1013;
export const CLOSE_RATE_LIMITED = 1008;

/** `online`, and the tab becoming visible (a phone that woke up, a laptop lid opened). */
export function browserWakeUps(fn: () => void): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => undefined;
  const onVisible = () => {
    if (document.visibilityState === 'visible') fn();
  };
  window.addEventListener('online', fn);
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    window.removeEventListener('online', fn);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class SignalingClient {
  private readonly opts: Required<Omit<SignalingOptions, 'createSocket' | 'diagnoseRefusal' | 'subscribeWakeUps'>> & {
    createSocket: (url: string) => SocketLike;
    diagnoseRefusal: (() => Promise<string | null>) | null;
  };
  private diagnosis = 0; // bumped per diagnosis, so a late answer for an old socket is ignored
  private socket: SocketLike | null = null;
  private _state: ConnectionState = 'idle';
  private attempt = 0; // failed attempts in a row
  private retryTimer: unknown = null;
  private readonly subscribeWakeUps: (fn: () => void) => () => void;
  private unsubscribeWakeUps: (() => void) | null = null;
  private pingTimer: unknown = null;
  private deadTimer: unknown = null;
  private listeners: { [K in keyof Events]: Set<Listener<Events[K]>> } = {
    state: new Set(),
    message: new Set(),
    joined: new Set(),
    refused: new Set(),
  };
  private joinIntent: { roomId: string; name: string } | null = null;
  private resumeToken: string | undefined;
  private lastPeerId: string | undefined;
  private everJoined = false;
  private awaitingJoin = false;
  private sentResumeToken = false;
  /** Counted room messages received since the last room-joined (see COUNTED_TYPES). */
  private received = 0;
  /** Retry delay of the currently scheduled reconnect, for the UI's countdown. */
  nextRetryMs = 0;

  constructor(options: SignalingOptions) {
    this.opts = {
      url: options.url,
      createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      timers: options.timers ?? browserTimers,
      random: options.random ?? Math.random,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 15_000,
      diagnoseRefusal: options.diagnoseRefusal ?? null,
    };
    this.subscribeWakeUps = options.subscribeWakeUps ?? browserWakeUps;
  }

  get state(): ConnectionState {
    return this._state;
  }
  get attempts(): number {
    return this.attempt;
  }
  get maxAttempts(): number {
    return this.opts.backoff.maxAttempts;
  }
  get peerId(): string | undefined {
    return this.lastPeerId;
  }

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  /** Opens the socket and joins `roomId`; on every later reconnect the join is repeated. */
  join(roomId: string, name: string): void {
    this.joinIntent = { roomId, name };
    if (this.socket && this.socket.readyState === OPEN) this.sendJoin();
    else if (this._state === 'idle' || this._state === 'closed' || this._state === 'failed') this.connect();
  }

  /** Leave the room and close for good (no reconnect). */
  close(): void {
    this.diagnosis += 1;
    if (this.socket && this.socket.readyState === OPEN && this.joinIntent) this.send({ type: 'leave' });
    this.joinIntent = null;
    this.teardownSocket(1000, 'bye');
    this.clearRetry();
    this.stopWakeUps();
    this.setState('closed');
  }

  /** The user pressed Retry: try now, with a fresh run of quick attempts. */
  retry(): void {
    if (this._state !== 'failed' && this._state !== 'reconnecting') return;
    this.clearRetry();
    this.diagnosis += 1; // a background attempt still being diagnosed no longer counts
    this.teardownSocket(CLOSE_RECONNECTING, 'reconnecting');
    this.attempt = 0;
    this.setState('reconnecting');
    this.connect();
  }

  send(msg: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  // ---- internals ----

  private connect(): void {
    this.unsubscribeWakeUps ??= this.subscribeWakeUps(() => this.wakeUp());
    // A background attempt after the quick ones stays 'failed' until it opens: the UI keeps
    // showing Offline with its Retry button instead of blinking between the two.
    if (this._state !== 'failed') this.setState(this.everConnected || this.attempt > 0 ? 'reconnecting' : 'connecting');
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch {
      this.onDrop(0);
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.everConnected = true;
      this.attempt = 0;
      this.setState('open');
      this.armDeadTimer();
      this.schedulePing();
      if (this.joinIntent) this.sendJoin();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      // Any traffic proves the socket alive, not only pongs.
      this.armDeadTimer();
      if (typeof ev.data !== 'string') return;
      const msg = parseServerMessage(ev.data);
      if (!msg) {
        console.warn('pulsemeet: dropped a malformed server message');
        return;
      }
      this.handle(msg);
    };
    socket.onerror = () => {
      /* onclose follows and decides */
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      const diagnose = this.opts.diagnoseRefusal;
      if (opened || !diagnose) {
        this.onDrop(ev.code);
        return;
      }
      // Never opened: refused (401/403) or unreachable; the browser does not say which.
      this.teardownSocket(CLOSE_RECONNECTING, 'reconnecting');
      const ticket = ++this.diagnosis;
      void diagnose()
        .catch(() => null)
        .then((code) => {
          if (ticket !== this.diagnosis || this._state === 'closed') return;
          if (!code) {
            this.onDrop(ev.code);
            return;
          }
          this.clearRetry();
          this.setState('closed');
          this.stopWakeUps();
          this.emit('refused', code);
        });
    };
  }

  private everConnected = false;

  private handle(msg: ServerMessage): void {
    if (COUNTED_TYPES.has(msg.type)) this.received++;
    if (msg.type === 'room-joined') {
      const rejoin = this.everJoined;
      const resumed = rejoin && msg.peerId === this.lastPeerId;
      this.awaitingJoin = false;
      this.everJoined = true;
      this.lastPeerId = msg.peerId;
      this.resumeToken = msg.data.resumeToken;
      this.received = 0; // a new stream starts after every room-joined
      this.emit('joined', { message: msg, resumed, rejoin });
    } else if (msg.type === 'error' && this.awaitingJoin && this.sentResumeToken && isTokenRejection(msg.code)) {
      // The server would not take our resume token (expired, other server, bad signature):
      // join as a fresh peer rather than getting stuck.
      this.resumeToken = undefined;
      this.sendJoin();
      return;
    } else if (msg.type === 'error' && this.awaitingJoin) {
      this.awaitingJoin = false;
    }
    this.emit('message', msg);
  }

  private sendJoin(): void {
    if (!this.joinIntent) return;
    // `received`: how much of the dropped connection's stream arrived, so a resume replays the rest.
    // `sfu`: this client can take the room's media through the media server (SfuTransport).
    const data: { name: string; resumeToken?: string; received: number; sfu: true } = {
      name: sanitizeDisplayName(this.joinIntent.name), // what the server would make of it anyway
      received: this.received,
      sfu: true,
    };
    if (this.resumeToken) data.resumeToken = this.resumeToken;
    this.sentResumeToken = Boolean(this.resumeToken);
    this.awaitingJoin = true;
    this.send({ type: 'join', roomId: this.joinIntent.roomId, data });
  }

  private onDrop(code: number): void {
    // Not 1000: the server reads a normal close as a hang-up and would end our place at once,
    // while this client is about to come back and resume it.
    this.teardownSocket(CLOSE_RECONNECTING, 'reconnecting');
    if (this._state === 'closed') return;
    if (code === CLOSE_SERVER_RESTART && this.attempt === 0) {
      // The server told us it restarts: come back at once. It still counts as an attempt, so a
      // server that keeps answering 1012 falls back to the normal backoff.
      this.attempt = 1;
      this.scheduleRetry(0);
      return;
    }
    // Past maxAttempts the delays grow to persistentMaxMs (backoffCeiling) and the state says
    // 'failed', but the client never gives up: a server back after a long outage is found.
    const exhausted = this.attempt >= this.opts.backoff.maxAttempts;
    const delay = backoffDelay(this.attempt, this.opts.backoff, this.opts.random);
    this.attempt += 1;
    this.scheduleRetry(delay, exhausted ? 'failed' : 'reconnecting');
  }

  /** `online` or the tab became visible: a reconnect that is waiting goes now. */
  private wakeUp(): void {
    if (this.retryTimer === null) return; // connected, connecting right now, or closed
    this.clearRetry();
    this.connect();
  }

  private stopWakeUps(): void {
    this.unsubscribeWakeUps?.();
    this.unsubscribeWakeUps = null;
  }

  private scheduleRetry(delay: number, state: 'reconnecting' | 'failed' = 'reconnecting'): void {
    this.clearRetry();
    this.nextRetryMs = delay;
    this.setState(state);
    this.retryTimer = this.opts.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.opts.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private schedulePing(): void {
    this.pingTimer = this.opts.timers.setTimeout(() => {
      this.pingTimer = null;
      this.send({ type: 'ping', data: { received: this.received } }); // lets the server forget what arrived
      this.schedulePing();
    }, this.opts.heartbeatIntervalMs);
  }

  private armDeadTimer(): void {
    if (this.deadTimer !== null) this.opts.timers.clearTimeout(this.deadTimer);
    this.deadTimer = this.opts.timers.setTimeout(() => {
      this.deadTimer = null;
      // A half-open TCP connection can look open for minutes; give up on it ourselves.
      console.warn('pulsemeet: no message from the server within the heartbeat timeout');
      this.onDrop(0);
    }, this.opts.heartbeatTimeoutMs);
  }

  /** Detaches handlers first so a late onclose of the old socket cannot trigger a second retry. */
  private teardownSocket(code: number, reason: string): void {
    if (this.pingTimer !== null) this.opts.timers.clearTimeout(this.pingTimer);
    if (this.deadTimer !== null) this.opts.timers.clearTimeout(this.deadTimer);
    this.pingTimer = null;
    this.deadTimer = null;
    const s = this.socket;
    this.socket = null;
    this.awaitingJoin = false;
    if (!s) return;
    s.onopen = null;
    s.onmessage = null;
    s.onerror = null;
    s.onclose = null;
    try {
      s.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  private setState(s: ConnectionState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
  }

  private emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const fn of [...this.listeners[event]]) fn(value);
  }
}

function isTokenRejection(code: string | undefined): boolean {
  return code === 'bad-message' || code === 'forbidden-room';
}

/** ws:// or wss:// to `/ws` on the page's own origin, with the link's room token if any. */
export function signalingUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location, token: string | null = null): string {
  return withToken(`${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`, token);
}
