// Which MediaTransport carries the call, and the move from one to the other when the room's mode
// changes, make-before-break (docs/architecture.md, "Moving between mesh and media server"):
//
// 1. The new transport is made and given what the current one has (settings, members, screen).
//    Both upload; the tiles keep reading the current one.
// 2. Until the move ends both get every change and every media message; chat is taken from both.
// 3. Ready: the new transport is connected to every member, and plays the video of every member
//    that says it sends video: frames keep decoding there, at least half as many as on the
//    current one over the same half second (a first key frame alone is no picture yet: a new
//    path's encoders and decoders may still be starting). Then the tiles read the new one. Not
//    ready by a deadline:
//    the move is made anyway, since the room's mode is the server's decision and the others are
//    moving too.
// 4. The old transport lingers a few seconds, still sending, before it is closed: the others swap
//    at their own moment, and until then their tiles show what we send on it. A mesh closes the
//    connection to each member that says it moved too (MeshTransport.lingerAfterMove) at once.
//
// To Room it is one MediaTransport: everything about two of them existing at once stays here.
import type { RoomMode } from '../protocol/messages';
import type { PeerSessionTimers } from '../rtc/PeerSession';
import type { MediaKind } from '../rtc/peerConnectionLike';
import type { MediaMessage, MediaTransport, MediaTransportEvents, RemoteMedia, ScreenShare, TransportSettings } from '../transport/MediaTransport';
import type { Trace } from '../transport/MoveTrace';

/** A member as the switch needs it: whether it says it sends video (its media-state). */
export interface SwitchMember {
  id: string;
  sendsVideo: boolean;
}

export interface TransportSwitchOptions {
  /** Makes the transport for a mode; its events come back through `events`. */
  create(mode: RoomMode, events: MediaTransportEvents): MediaTransport;
  /** Everyone else in the room now. */
  members(): readonly SwitchMember[];
  /** Events of the transport that feeds the tiles. */
  events: MediaTransportEvents;
  /** The tiles now read another transport: render again. */
  switched(mode: RoomMode): void;
  /** Video frames decoded from a member's camera on a transport; default: `framesDecoded`. */
  framesDecoded?: (transport: MediaTransport, peerId: string) => Promise<number>;
  timers?: PeerSessionTimers;
  /** Milliseconds, for how fast frames decode; default `Date.now`. */
  now?: () => number;
  /** How often a move checks whether the new transport is ready. */
  checkIntervalMs?: number;
  /** A move not ready after this long is made anyway. */
  deadlineMs?: number;
  /** How long the old transport keeps sending after our swap, for members not swapped yet. */
  lingerMs?: number;
  /** Records the steps of a move (MoveTrace), for the browser tests' timing. */
  trace?: Trace;
}

interface Carrier {
  readonly mode: RoomMode;
  readonly transport: MediaTransport;
}

/** Frames decoded from one member on the new and on the current transport, at a moment. */
interface FrameCounts {
  atMs: number;
  next: number;
  current: number;
}

/** How long the new transport's frames are counted before it is said to play. */
const PLAY_WINDOW_MS = 500;
/** Frames it must decode in that time whatever the current transport does. */
const PLAY_MIN_FRAMES = 2;

/**
 * The new transport plays a member's video: since its first decoded frame, over at least
 * PLAY_WINDOW_MS, it decoded at least PLAY_MIN_FRAMES more and at least half as many as the
 * current transport did meanwhile.
 */
function playsOn(first: FrameCounts, now: FrameCounts): boolean {
  if (now.atMs - first.atMs < PLAY_WINDOW_MS) return false;
  const next = now.next - first.next;
  const current = Math.max(0, now.current - first.current);
  return next >= PLAY_MIN_FRAMES && next >= current / 2;
}

const defaultTimers: PeerSessionTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class TransportSwitch implements MediaTransport {
  private readonly opts: TransportSwitchOptions;
  private readonly timers: PeerSessionTimers;
  /** Feeds the tiles. */
  private current: Carrier;
  /** Being moved to, while a move is under way. */
  private next: Carrier | null = null;
  /** Moved from: still sending for the members that have not swapped yet, closed soon. */
  private lingering: Carrier | null = null;
  private lingerTimer: unknown = null;
  private roomMode: RoomMode = 'mesh';
  private settings: TransportSettings | null = null;
  private screen: ScreenShare | null = null;
  private checkTimer: unknown = null;
  private deadlineTimer: unknown = null;
  private checking = false;
  /** Members whose video the move's new transport plays: not asked again. */
  private playing = new Set<string>();
  /** Per member, when the new transport's first decoded frame was seen, and both counts then. */
  private firstDecoded = new Map<string, FrameCounts>();
  private readonly trace: Trace;

  constructor(opts: TransportSwitchOptions) {
    this.opts = opts;
    this.timers = opts.timers ?? defaultTimers;
    this.trace = opts.trace ?? (() => undefined);
    this.current = this.make('mesh');
  }

  /** The room's mode, as the server last said. */
  get mode(): RoomMode {
    return this.roomMode;
  }

  /** The mode of the transport that feeds the tiles. */
  get activeMode(): RoomMode {
    return this.current.mode;
  }

  /** True while a move is under way. */
  get moving(): boolean {
    return this.next !== null;
  }

  /** The room's mode (room-joined, room-mode): stay, move, or call off a move. */
  setMode(mode: RoomMode): void {
    if (mode !== this.roomMode) this.trace('mode', mode);
    this.roomMode = mode;
    if (this.next && this.next.mode !== mode) this.callOff();
    if (this.current.mode === mode) {
      if (mode === 'mesh') this.meetOnMesh();
      return;
    }
    if (!this.current.transport.hasOpenConnections()) {
      // Nothing flows (we just joined, or came back under a new id): nothing to keep alive.
      if (this.next) {
        this.swap('idle');
        return;
      }
      const old = this.current;
      this.current = this.populate(this.make(mode));
      old.transport.close();
      this.opts.switched(mode);
      return;
    }
    if (this.next) return; // already on the way
    // Two transports of one kind would both take the same relayed negotiation.
    this.endLinger();
    this.playing = new Set();
    this.firstDecoded = new Map();
    this.next = this.populate(this.make(mode));
    this.checkTimer = this.timers.setTimeout(() => this.poll(), this.opts.checkIntervalMs ?? 250);
    this.deadlineTimer = this.timers.setTimeout(() => {
      this.deadlineTimer = null;
      if (!this.next) return;
      console.warn(`pulsemeet: moving to ${this.next.mode} before every picture arrived there (deadline)`);
      this.swap('deadline');
    }, this.opts.deadlineMs ?? 15_000);
    void this.check();
  }

  /** Every connection any transport has (current, new while moving, lingering), each once: the test hook's. */
  outboundConnections(): unknown[] {
    const all = new Set<unknown>();
    for (const c of [...this.carriers(), ...(this.lingering ? [this.lingering] : [])]) for (const pc of c.transport.connections().values()) all.add(pc);
    return [...all];
  }

  // ---- MediaTransport: changes go to every transport, reads come from the current one ----

  start(settings: TransportSettings): void {
    this.settings = settings;
    for (const c of this.carriers()) c.transport.start(settings);
  }

  addPeer(peerId: string, joinedAfterUs: boolean): void {
    for (const c of this.carriers()) {
      // A newcomer in a room on the media server has no mesh: nobody connects to it directly.
      if (c.mode === 'mesh' && this.roomMode === 'sfu') continue;
      c.transport.addPeer(peerId, joinedAfterUs);
    }
  }

  removePeer(peerId: string): void {
    for (const c of this.carriers()) c.transport.removePeer(peerId);
    this.lingering?.transport.removePeer(peerId);
  }

  reconnectPeer(peerId: string): void {
    this.current.transport.reconnectPeer(peerId);
  }

  peerUnreachable(peerId: string): void {
    for (const c of this.carriers()) c.transport.peerUnreachable(peerId);
  }

  handleMessage(msg: MediaMessage): void {
    for (const c of this.carriers()) c.transport.handleMessage(msg);
    // Its connections still answer, and take candidates from, members not swapped yet.
    this.lingering?.transport.handleMessage(msg);
  }

  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    for (const c of this.carriers()) c.transport.replaceTrack(kind, track);
    this.lingering?.transport.replaceTrack(kind, track);
  }

  setScreenShare(share: ScreenShare | null): void {
    this.screen = share;
    for (const c of this.carriers()) c.transport.setScreenShare(share);
  }

  setPinned(peerId: string | null): void {
    for (const c of this.carriers()) c.transport.setPinned?.(peerId);
  }

  sendChat(text: string): ReadonlySet<string> {
    // The WebSocket (the media server's transport) reaches every member whatever carries their
    // media, and members already moved read only that; the mesh's data channels otherwise.
    const viaServer = this.carriers().find((c) => c.mode === 'sfu');
    return (viaServer ?? this.current).transport.sendChat(text);
  }

  remote(peerId: string): RemoteMedia | null {
    return this.current.transport.remote(peerId);
  }

  measure(): Promise<boolean> {
    return this.current.transport.measure();
  }

  framesDecoded(peerId: string): Promise<number> {
    return this.current.transport.framesDecoded(peerId);
  }

  audioLevels(peerIds: readonly string[]): Promise<Map<string, number>> {
    return this.current.transport.audioLevels(peerIds);
  }

  connections(): Map<string, unknown> {
    return this.current.transport.connections();
  }

  receivedMids(): Map<string, string[]> {
    return this.current.transport.receivedMids();
  }

  renewIceServers(iceServers: RTCIceServer[]): void {
    if (this.settings) this.settings = { ...this.settings, iceServers };
    for (const c of this.carriers()) c.transport.renewIceServers(iceServers);
  }

  hasOpenConnections(): boolean {
    return this.carriers().some((c) => c.transport.hasOpenConnections());
  }

  close(): void {
    this.stopTimers();
    this.endLinger();
    this.next?.transport.close();
    this.next = null;
    this.current.transport.close();
  }

  // ---- internals ----

  private carriers(): Carrier[] {
    return this.next ? [this.current, this.next] : [this.current];
  }

  private make(mode: RoomMode): Carrier {
    const events: MediaTransportEvents = {
      remoteChanged: (peerId) => {
        if (carrier === this.current) this.opts.events.remoteChanged(peerId);
        else if (carrier === this.next) void this.check();
      },
      // Chat is taken from every transport: nothing said during a move is lost.
      chatReceived: (peerId, text) => this.opts.events.chatReceived(peerId, text),
    };
    const carrier: Carrier = { mode, transport: this.opts.create(mode, events) };
    return carrier;
  }

  /** Gives a new transport what the current one has: settings, members, our screen. */
  private populate(carrier: Carrier): Carrier {
    const t = carrier.transport;
    if (this.settings) t.start(this.settings);
    if (this.screen) t.setScreenShare(this.screen);
    // On the mesh, of each pair the peer with the smaller id offers (docs/protocol.md).
    const localId = this.settings?.localId ?? '';
    for (const m of this.opts.members()) t.addPeer(m.id, carrier.mode === 'mesh' && localId < m.id);
    return carrier;
  }

  /** Back on (or still on) the mesh: connect to members that came while the room was not. */
  private meetOnMesh(): void {
    const localId = this.settings?.localId ?? '';
    const mesh = this.current.transport;
    for (const m of this.opts.members()) if (!mesh.remote(m.id)) mesh.addPeer(m.id, localId < m.id);
  }

  private poll(): void {
    this.checkTimer = null;
    if (!this.next) return;
    void this.check();
    this.checkTimer = this.timers.setTimeout(() => this.poll(), this.opts.checkIntervalMs ?? 250);
  }

  private async check(): Promise<void> {
    const next = this.next;
    if (!next || this.checking) return;
    this.checking = true;
    let ready = false;
    try {
      ready = await this.ready(next.transport);
    } finally {
      this.checking = false;
    }
    if (ready && this.next === next) this.swap('ready');
  }

  /** Connected to every member, and playing the video of each one that says it sends video. */
  private async ready(t: MediaTransport): Promise<boolean> {
    const framesDecoded = this.opts.framesDecoded ?? ((tr: MediaTransport, id: string) => tr.framesDecoded(id));
    const now = this.opts.now ?? (() => Date.now());
    let ready = true;
    for (const m of this.opts.members()) {
      if (t.remote(m.id)?.connectionState !== 'connected') return false;
      if (!m.sendsVideo || this.playing.has(m.id)) continue;
      // Every member is asked (not only up to the first not playing): the trace says when each
      // one's first frame came, and when it played.
      const counts: FrameCounts = { atMs: now(), next: await framesDecoded(t, m.id), current: await framesDecoded(this.current.transport, m.id) };
      const first = this.firstDecoded.get(m.id);
      if (!first) {
        if (counts.next > 0) {
          this.firstDecoded.set(m.id, counts);
          this.trace('decoded', m.id);
        }
        ready = false;
      } else if (playsOn(first, counts)) {
        this.playing.add(m.id);
        this.trace('playing', m.id);
      } else {
        ready = false;
      }
    }
    return ready;
  }

  /** The tiles read the new transport from the next render; then the old one goes. */
  private swap(why: 'ready' | 'deadline' | 'idle'): void {
    const next = this.next;
    if (!next) return;
    this.trace('swap', why);
    this.stopTimers();
    const old = this.current;
    this.current = next;
    this.next = null;
    this.opts.switched(next.mode);
    this.linger(old);
  }

  /** The transport we moved from keeps sending a little longer (see the top), then closes. */
  private linger(old: Carrier): void {
    this.endLinger();
    const ms = this.opts.lingerMs ?? 6_000;
    if (ms <= 0) {
      old.transport.close();
      return;
    }
    this.lingering = old;
    old.transport.lingerAfterMove?.();
    this.lingerTimer = this.timers.setTimeout(() => {
      this.lingerTimer = null;
      this.endLinger();
    }, ms);
  }

  private endLinger(): void {
    if (this.lingerTimer !== null) this.timers.clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    const old = this.lingering;
    this.lingering = null;
    old?.transport.close();
  }

  private callOff(): void {
    this.stopTimers();
    this.next?.transport.close();
    this.next = null;
  }

  private stopTimers(): void {
    if (this.checkTimer !== null) this.timers.clearTimeout(this.checkTimer);
    if (this.deadlineTimer !== null) this.timers.clearTimeout(this.deadlineTimer);
    this.checkTimer = null;
    this.deadlineTimer = null;
  }
}
