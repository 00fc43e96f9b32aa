// The mesh: media goes browser to browser, one PeerSession (RTCPeerConnection) per remote
// participant. Its offers, answers and candidates travel through the signaling server; chat goes on
// each connection's data channel; each connection is measured and its send limits adapted on its
// own; fresh TURN credentials restart ICE on every connection.
import { parseChatWire, type ChatWireMessage } from '../room/ChatLog';
import { PeerSession, type LocalTracks, type OutgoingSignal, type PeerSessionTimers } from '../rtc/PeerSession';
import type { MediaKind, PeerConnectionFactory } from '../rtc/peerConnectionLike';
import { chooseSendQuality, sameQuality } from '../rtc/sendPolicy';
import { computeMetrics, extractSample, pushHistory } from '../rtc/stats';
import type { MediaMessage, MediaTransport, MediaTransportEvents, RemoteMedia, ScreenShare, SendSignal, TransportSettings } from './MediaTransport';
import { MeshLink } from './MeshLink';
import { isMovedWire, MOVED_WIRE } from './meshWire';
import type { FrameProtection } from '../e2ee/E2eeSession';

export interface MeshTransportOptions {
  createPeerConnection: PeerConnectionFactory;
  /** Our camera and microphone as they are now: every new connection starts with them. */
  localTracks: () => LocalTracks;
  send: SendSignal;
  events: MediaTransportEvents;
  /** How long a connection may take before the call says why it does not connect. */
  connectTimeoutMs?: number;
  now?: () => number;
  /** For the waits between fresh connections after rejected answers; the global timers by default. */
  timers?: PeerSessionTimers;
  /** End-to-end encryption: each connection's frames go through it (e2ee/E2eeSession). */
  e2ee?: FrameProtection;
}

/**
 * When a remote's answer cannot be taken (GStreamer's webrtcbin answers a re-offer with the other
 * DTLS role), a fresh connection replaces the one whose offer was rolled back: the first at once,
 * the next ones after these waits if the fresh connections keep failing before they ever connect;
 * then we give up (the rolled-back connection, if any, keeps what it had; Retry starts over).
 * Being connected starts the count afresh: each later refusal follows a renegotiation of its own
 * (a screen share, an ICE restart), never a loop.
 */
export const REJECTED_ANSWER_REBUILD_DELAYS_MS: readonly number[] = [0, 10_000, 30_000];

/** After a move, how long a connection to a member that moved too stays open: our `moved` leaves first. */
const MOVED_CLOSE_DELAY_MS = 500;

const globalTimers: PeerSessionTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class MeshTransport implements MediaTransport {
  private readonly opts: MeshTransportOptions;
  private readonly now: () => number;
  private readonly timers: PeerSessionTimers;
  private readonly links = new Map<string, MeshLink>();
  private localId: string | null = null;
  private iceServers: RTCIceServer[] = [];
  private iceTransportPolicy: RTCIceTransportPolicy = 'all';
  private screen: ScreenShare | null = null;
  /** Our tiles read another transport now (lingerAfterMove): this one only sends, for a while. */
  private movedAway = false;

  constructor(opts: MeshTransportOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => Date.now());
    this.timers = opts.timers ?? globalTimers;
  }

  // ---- the room ----

  start(settings: TransportSettings): void {
    this.localId = settings.localId;
    this.iceServers = settings.iceServers;
    this.iceTransportPolicy = settings.iceTransportPolicy;
  }

  addPeer(peerId: string, joinedAfterUs: boolean): void {
    let link = this.links.get(peerId);
    if (!link) {
      link = new MeshLink(peerId);
      this.links.set(peerId, link);
    }
    // The peer that was in the room first makes the offer; the newcomer waits for it.
    if (joinedAfterUs) this.connect(link, true);
  }

  removePeer(peerId: string): void {
    const link = this.links.get(peerId);
    if (!link) return;
    this.cancelRebuild(link);
    link.session?.close();
    link.session = null;
    this.links.delete(peerId);
  }

  reconnectPeer(peerId: string): void {
    const link = this.links.get(peerId);
    if (!link) return;
    link.rejectedAnswerRebuilds = 0;
    this.connect(link, true);
  }

  peerUnreachable(peerId: string): void {
    this.links.get(peerId)?.session?.handleUnreachable();
  }

  handleMessage(msg: MediaMessage): void {
    switch (msg.type) {
      case 'offer': {
        const link = this.links.get(msg.peerId);
        if (!link) return; // offer from a peer we were never told about: ignore
        const s = link.session;
        if (!s || s.closed || s.isFromNewRemoteConnection(msg.data.sdp)) this.connect(link, false);
        void link.session?.handleDescription(msg.data);
        return;
      }
      case 'answer':
        // No session: an answer for a connection we already closed. Ignore.
        void this.links.get(msg.peerId)?.session?.handleDescription(msg.data);
        return;
      case 'ice-candidate': {
        const link = this.links.get(msg.peerId);
        if (!link) return;
        // A candidate ahead of its offer: open the (answering) session now so it is queued.
        if (!link.session || link.session.closed) this.connect(link, false);
        void link.session?.handleCandidate(msg.data);
        return;
      }
      default:
        return; // the media server's messages are the SFU transport's
    }
  }

  /**
   * Our tiles read the media server now; the mesh keeps sending for members whose tiles still
   * read it. Each member is told (`moved` on the data channel), and the connection to one that
   * moved too is closed at once rather than when the linger ends: each such connection costs an
   * encoder and a decoder on both sides for nothing.
   */
  lingerAfterMove(): void {
    this.movedAway = true;
    for (const link of this.links.values()) {
      link.session?.sendIfOpen(MOVED_WIRE);
      if (link.movedAway) this.closeMovedLater(link);
    }
  }

  /** Closes the connection to a member that moved, once our own `moved` had time to leave. */
  private closeMovedLater(link: MeshLink): void {
    const session = link.session;
    this.timers.setTimeout(() => {
      if (this.links.get(link.peerId) === link && link.session === session) this.removePeer(link.peerId);
    }, MOVED_CLOSE_DELAY_MS);
  }

  // ---- what we send ----

  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    for (const link of this.links.values()) {
      link.session?.replaceTrack(kind, track).catch((err: unknown) => console.warn('pulsemeet: replaceTrack failed', err));
    }
  }

  setScreenShare(share: ScreenShare | null): void {
    this.screen = share;
    for (const link of this.links.values()) void link.session?.setScreenTrack(share?.track ?? null, share?.stream ?? null);
  }

  sendChat(text: string): ReadonlySet<string> {
    const wire: ChatWireMessage = { type: 'chat', text };
    const data = JSON.stringify(wire);
    const reached = new Set<string>();
    for (const link of this.links.values()) if (link.session?.sendChat(data)) reached.add(link.peerId);
    return reached;
  }

  // ---- what we receive and measure ----

  remote(peerId: string): RemoteMedia | null {
    return this.links.get(peerId) ?? null;
  }

  async measure(): Promise<boolean> {
    let any = false;
    await Promise.all(
      [...this.links.values()].map(async (link) => {
        const s = link.session;
        if (!s || s.closed) return;
        try {
          const report = await s.getStats();
          if (link.session !== s) return;
          const sample = extractSample(report, this.now());
          const m = computeMetrics(link.lastSample, sample);
          link.lastSample = sample;
          link.metrics = m;
          link.history = pushHistory(link.history, {
            t: sample.timestampMs,
            kbps: m.bitrateKbps ?? 0,
            rttMs: m.rttMs ?? 0,
            lossPercent: m.lossPercent ?? 0,
          });
          any = true;
        } catch {
          /* connection closed between the check and the call */
        }
      }),
    );
    const adapted = this.adaptSenders();
    return any || adapted;
  }

  async framesDecoded(peerId: string): Promise<number> {
    const s = this.links.get(peerId)?.session;
    if (!s || s.closed) return 0;
    try {
      // The connection carries only this remote's video: its camera, and its screen while shared.
      return extractSample(await s.getStats(), this.now()).framesDecoded;
    } catch {
      return 0; // closed meanwhile
    }
  }

  async audioLevels(peerIds: readonly string[]): Promise<Map<string, number>> {
    const levels = new Map<string, number>();
    await Promise.all(
      peerIds.map(async (peerId) => {
        const s = this.links.get(peerId)?.session;
        levels.set(peerId, s && !s.closed ? await s.audioLevel() : 0);
      }),
    );
    return levels;
  }

  connections(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [peerId, link] of this.links) if (link.session) out.set(peerId, link.session.pc);
    return out;
  }

  receivedMids(): Map<string, string[]> {
    return new Map(); // a connection per remote: all of its m-lines are that remote's
  }

  /** The session to one remote (tests and debugging). */
  session(peerId: string): PeerSession | null {
    return this.links.get(peerId)?.session ?? null;
  }

  // ---- ICE ----

  renewIceServers(iceServers: RTCIceServer[]): void {
    this.iceServers = iceServers;
    for (const link of this.links.values()) link.session?.updateIceServers(iceServers);
  }

  hasOpenConnections(): boolean {
    return [...this.links.values()].some((link) => link.session && !link.session.closed);
  }

  close(): void {
    for (const peerId of [...this.links.keys()]) this.removePeer(peerId);
  }

  // ---- internals ----

  /** A new PeerSession to this remote, replacing the one it had. */
  private connect(link: MeshLink, initiator: boolean): void {
    this.cancelRebuild(link);
    link.session?.close();
    link.resetMedia();
    if (!this.localId) return;
    const events = this.opts.events;
    const peerId = link.peerId;
    const session: PeerSession = new PeerSession({
      localId: this.localId,
      remoteId: peerId,
      initiator,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
      local: this.opts.localTracks(),
      createPeerConnection: this.opts.createPeerConnection,
      signal: (s) => this.sendSignal(peerId, s),
      onRemoteTrack: (track, role) => {
        if (link.session !== session) return;
        if (role === 'screen') link.screenTrack = track;
        else link.setTrack(track);
        events.remoteChanged(peerId);
      },
      onChat: (data) => {
        if (link.session !== session) return;
        if (isMovedWire(data)) {
          link.movedAway = true;
          if (this.movedAway) this.closeMovedLater(link);
          return;
        }
        const chat = parseChatWire(data);
        if (chat) events.chatReceived(peerId, chat.text);
      },
      onConnectionState: (state) => {
        if (link.session !== session) return;
        link.connectionState = state;
        if (state === 'connected') link.rejectedAnswerRebuilds = 0;
        // Limits apply from the moment media flows, and the room size may have changed.
        if (state === 'connected') this.adaptSenders();
        events.remoteChanged(peerId);
      },
      onConnectIssue: (issue) => {
        if (link.session !== session) return;
        link.connectIssue = issue;
        // No direct path and no relay to fall back on: the server may move the room onto the
        // media server, where this pair can meet (over TCP if need be).
        if (issue?.kind === 'no-relay') this.opts.send({ type: 'mesh-unreachable', targetId: peerId });
        events.remoteChanged(peerId);
      },
      connectTimeoutMs: this.opts.connectTimeoutMs,
      e2ee: this.opts.e2ee,
      onNeedsRebuild: () => {
        if (link.session !== session || !this.links.has(peerId)) return;
        // A full re-offer on a brand-new RTCPeerConnection.
        this.connect(link, true);
        events.remoteChanged(peerId);
      },
      onAnswerRejected: () => {
        if (link.session !== session || !this.links.has(peerId)) return;
        this.rebuildAfterRejectedAnswer(link, session);
      },
    });
    link.session = session;
    if (this.screen) void session.setScreenTrack(this.screen.track, this.screen.stream);
  }

  /**
   * A fresh connection (we offer, with everything in the first offer) for one whose answer could
   * not be taken; see REJECTED_ANSWER_REBUILD_DELAYS_MS for how often.
   */
  private rebuildAfterRejectedAnswer(link: MeshLink, session: PeerSession): void {
    if (link.rebuildTimer !== null) return;
    const delay = REJECTED_ANSWER_REBUILD_DELAYS_MS[link.rejectedAnswerRebuilds];
    if (delay === undefined) {
      console.warn(`pulsemeet: answers from ${link.peerId} keep being refused; no more fresh connections`);
      return;
    }
    link.rejectedAnswerRebuilds += 1;
    const rebuild = () => {
      link.rebuildTimer = null;
      if (link.session !== session || this.links.get(link.peerId) !== link) return;
      this.connect(link, true);
      this.opts.events.remoteChanged(link.peerId);
    };
    if (delay === 0) rebuild();
    else link.rebuildTimer = this.timers.setTimeout(rebuild, delay);
  }

  private cancelRebuild(link: MeshLink): void {
    if (link.rebuildTimer !== null) this.timers.clearTimeout(link.rebuildTimer);
    link.rebuildTimer = null;
  }

  private sendSignal(targetId: string, s: OutgoingSignal): void {
    // While the socket is down these are lost; an established connection does not need them,
    // and a new one is renegotiated after the rejoin.
    if (s.kind === 'description') this.opts.send({ type: s.description.type, targetId, data: s.description });
    else this.opts.send({ type: 'ice-candidate', targetId, data: s.candidate });
  }

  /**
   * Bandwidth adaptation: re-decides every connection's send limits from the number of peers we
   * upload to and that connection's measured loss and round trip. True when anything changed.
   */
  private adaptSenders(): boolean {
    let changed = false;
    const peers = this.links.size;
    for (const link of this.links.values()) {
      const s = link.session;
      if (!s || s.closed || link.connectionState !== 'connected') continue;
      const q = chooseSendQuality({ peers, lossPercent: link.metrics.lossPercent, rttMs: link.metrics.rttMs });
      if (sameQuality(link.sendQuality, q)) continue;
      link.sendQuality = q;
      changed = true;
      void s.applySendQuality(q).then((ok) => {
        if (!ok && link.session === s && link.sendQuality === q) link.sendQuality = null; // retried next round
      });
    }
    return changed;
  }
}
