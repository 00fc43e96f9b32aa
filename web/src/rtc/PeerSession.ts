// One RTCPeerConnection to one remote peer.
//
// Roles (DESIGN.md): the peer already in the room makes the first offer (`initiator`); the newcomer
// answers. Every later negotiation (ICE restart, track changes) follows the "perfect negotiation"
// pattern: polite = the peer with the smaller id; on glare the polite side rolls back and answers,
// the impolite side ignores the colliding offer.
//
// Incoming signaling for a session is handled strictly in arrival order through a promise chain,
// so a candidate never races the description it belongs to.
import type { IceCandidateData, SessionDescriptionData } from '../protocol/messages';
import { AudioLevelMeter, audioEnergyIn } from './audioLevel';
import { applySendQuality, type SendQuality } from './sendPolicy';
import {
  type CandidateLike,
  type DataChannelLike,
  type MediaKind,
  type PeerConnectionFactory,
  type PeerConnectionLike,
  type TransceiverLike,
  sdpFingerprint,
} from './peerConnectionLike';
import { type ConnectIssue, IceEvidenceLog } from './connectIssue';
import type { FrameProtection } from '../e2ee/E2eeSession';

export type OutgoingSignal =
  | { kind: 'description'; description: SessionDescriptionData }
  | { kind: 'candidate'; candidate: IceCandidateData };

/** What a received track carries: the microphone, the camera, or a shared screen. */
export type TrackRole = 'audio' | 'camera' | 'screen';

export interface LocalTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** Groups the tracks on the remote side (msid); null in tests. */
  stream: MediaStream | null;
}

export interface PeerSessionTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PeerSessionOptions {
  localId: string;
  remoteId: string;
  /** True for the peer that was in the room first: it sends the first offer. */
  initiator: boolean;
  iceServers: RTCIceServer[];
  /** 'relay': TURN only (the server's ICE_TRANSPORT_POLICY or the link's ?relay=1). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  local: LocalTracks;
  createPeerConnection: PeerConnectionFactory;
  signal: (msg: OutgoingSignal) => void;
  onRemoteTrack?: (track: MediaStreamTrack, role: TrackRole) => void;
  /** A chat message from the remote peer's data channel. */
  onChat?: (text: string) => void;
  onConnectionState?: (state: RTCPeerConnectionState) => void;
  /** ICE restart did not help: the owner should replace this session with a fresh one. */
  onNeedsRebuild?: () => void;
  /**
   * We could not take the remote's answer to our offer (GStreamer's webrtcbin answers a re-offer
   * with the other DTLS role). The offer was rolled back and this connection makes no more
   * offers; what it had negotiated keeps working. The owner decides whether and when a fresh
   * connection replaces it.
   */
  onAnswerRejected?: () => void;
  timers?: PeerSessionTimers;
  /** How long an ICE restart may take before we give up on this RTCPeerConnection. */
  iceRestartTimeoutMs?: number;
  /** Not connected this long after creation (or failed): report why (null once connected). */
  onConnectIssue?: (issue: ConnectIssue | null) => void;
  connectTimeoutMs?: number;
  /** End-to-end encryption: transforms on this connection's senders and receivers (e2ee/E2eeSession). */
  e2ee?: FrameProtection;
}

const defaultTimers: PeerSessionTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Waits before each repair after `peer-unreachable`, in order; then we give up (the connect-issue
 * report and ICE failure handling take over). About half a minute in all: a Redis hang or
 * failover between two server instances is usually over by then, and each repair's own messages
 * are refused again while it lasts.
 */
export const UNREACHABLE_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000];

export function isPolite(localId: string, remoteId: string): boolean {
  return localId < remoteId;
}

export class PeerSession {
  readonly remoteId: string;
  readonly polite: boolean;
  readonly pc: PeerConnectionLike;
  private readonly opts: PeerSessionOptions;
  private readonly timers: PeerSessionTimers;
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  /** The answerer must not start its own negotiation before the initiator's offer arrived. */
  private negotiationAllowed: boolean;
  private pendingCandidates: IceCandidateData[] = [];
  private chain: Promise<void> = Promise.resolve();
  private transceivers = new Map<MediaKind, TransceiverLike>();
  /** Our screen share's sender, kept after a share ends so the next share reuses it. */
  private screenTransceiver: TransceiverLike | null = null;
  /** A share that started before the first offer came (we answer): added once we answered it. */
  private pendingScreen: { track: MediaStreamTrack; stream: MediaStream | null } | null = null;
  /**
   * Chat: negotiated on both sides with the same id, so neither waits for `ondatachannel`. The
   * offerer creates it before its first offer; the answerer when the offer carries data, or when
   * the user first chats (then it costs one renegotiation, see sendChat).
   */
  private chat: DataChannelLike | null = null;
  /** Messages sent while a channel added for them is still opening (sent in order once open). */
  private chatQueue: string[] = [];
  /** The channel was added for a message and has not opened yet: messages queue for it. */
  private chatAddedForMessages = false;
  /** Our offers' answers cannot be taken on this connection: it offers nothing more. */
  private offersRefused = false;
  private local: LocalTracks;
  private restartAttempted = false;
  private restartTimer: unknown = null;
  /** A repair after `peer-unreachable` is scheduled (further errors are covered by it). */
  private repairTimer: unknown = null;
  /** Repairs made since the connection last was connected. */
  private repairs = 0;
  private _closed = false;
  private connectTimer: unknown = null;
  private readonly evidence = new IceEvidenceLog();
  private readonly audioMeter = new AudioLevelMeter();
  /** The ICE servers the connection uses now (replaced when TURN credentials are refreshed). */
  private iceServers: RTCIceServer[];
  /** Counters the tests (and the debug panel) read. */
  readonly counters = { ignoredOffers: 0, staleAnswers: 0, queuedCandidates: 0, iceRestarts: 0, iceServerUpdates: 0, unreachableRepairs: 0, rejectedAnswers: 0 };

  constructor(opts: PeerSessionOptions) {
    this.opts = opts;
    this.remoteId = opts.remoteId;
    this.polite = isPolite(opts.localId, opts.remoteId);
    this.timers = opts.timers ?? defaultTimers;
    this.local = { ...opts.local };
    this.negotiationAllowed = opts.initiator;
    this.iceServers = opts.iceServers;
    const config: RTCConfiguration = { iceServers: opts.iceServers };
    if (opts.iceTransportPolicy) config.iceTransportPolicy = opts.iceTransportPolicy;
    const pc = opts.createPeerConnection(config);
    this.pc = pc;

    pc.onnegotiationneeded = () => void this.negotiate();
    pc.onicecandidate = (ev) => {
      // End of gathering (null, or the empty candidate some browsers fire per m-line) is never
      // sent: trickle needs no end marker, and no client should wait for one (docs/protocol.md).
      if (this._closed || !ev.candidate || !ev.candidate.candidate) return;
      this.evidence.candidate(ev.candidate.candidate);
      this.opts.signal({ kind: 'candidate', candidate: toCandidateData(ev.candidate) });
    };
    pc.ontrack = (ev) => {
      this.protectFrames();
      if (!this._closed) this.opts.onRemoteTrack?.(ev.track, this.roleOf(ev.track, ev.transceiver));
    };
    pc.onconnectionstatechange = () => this.onConnectionStateChange();
    pc.onicecandidateerror = (ev) => {
      if (!this._closed) this.evidence.candidateError(ev);
    };
    if (opts.onConnectIssue) {
      this.connectTimer = this.timers.setTimeout(() => {
        this.connectTimer = null;
        if (!this._closed && this.pc.connectionState !== 'connected') this.reportIssue();
      }, opts.connectTimeoutMs ?? 20_000);
    }

    if (opts.initiator) {
      // Always one audio and one video transceiver, even without a camera: a camera plugged in
      // later then only needs replaceTrack, never a renegotiation.
      for (const kind of ['audio', 'video'] as const) {
        const track = this.local[kind];
        const init: RTCRtpTransceiverInit = { direction: 'sendrecv' };
        if (this.local.stream) init.streams = [this.local.stream];
        this.transceivers.set(kind, pc.addTransceiver(track ?? kind, init));
      }
    }
    // In the first offer, so a peer that answers it never sees a re-offer just for chat.
    if (opts.initiator) this.openChat();
    this.protectFrames();
  }

  /** End-to-end encryption: every sender and receiver gets its transform before media flows. */
  private protectFrames(): void {
    if (!this._closed) this.opts.e2ee?.attach(this.pc, this.opts.localId, this.remoteId);
  }

  /**
   * Sends one chat message; false when it cannot go out (closed, the channel not open yet, or no
   * offer answered yet). On a connection whose offer had no data channel (an outside client that
   * offered audio and video only), the first message adds the channel, which renegotiates once,
   * and waits with any that follow until the channel opens.
   */
  sendChat(text: string): boolean {
    if (this._closed) return false;
    if (!this.chat) {
      // Before the first offer there is nothing to add a channel to.
      if (!this.negotiationAllowed || this.offersRefused || !this.openChat()) return false;
      this.chatAddedForMessages = true;
      this.chatQueue.push(text);
      return true;
    }
    if (this.chatAddedForMessages && this.chat.readyState === 'connecting') {
      if (this.chatQueue.length >= MAX_QUEUED_CHAT) return false;
      this.chatQueue.push(text);
      return true;
    }
    return this.sendIfOpen(text);
  }

  /** Sends on the data channel if it is open now; never adds a channel (for messages other than chat). */
  sendIfOpen(text: string): boolean {
    if (this._closed || this.chat?.readyState !== 'open') return false;
    try {
      this.chat.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Starts (track) or stops (null) sending a shared screen as an extra video track, after the
   * camera's. Adding the transceiver triggers negotiationneeded, and the renegotiation goes
   * through perfect negotiation like any other.
   *
   * The track is announced in the same stream (msid) as our camera and microphone, not in the
   * capture's own `stream` (used only when we have none): a client that shows one stream per
   * peer (the original article's client shows `ontrack`'s `streams[0]`) then keeps showing the
   * camera, the stream's first video track, and playing our audio, where a stream of its own
   * replaced both with the screen. Our client tells the screen by its m-line (roleOf), not its stream.
   */
  async setScreenTrack(track: MediaStreamTrack | null, stream: MediaStream | null): Promise<void> {
    if (this._closed) return;
    if (!this.negotiationAllowed && this.transceivers.size === 0) {
      // We answer and the offer has not come: a transceiver added now would come first and be
      // taken for the camera. It is added after the answer (see applyDescription).
      this.pendingScreen = track ? { track, stream } : null;
      return;
    }
    const t = this.screenTransceiver;
    if (track && !t) {
      const init: RTCRtpTransceiverInit = { direction: 'sendonly' };
      const msid = this.local.stream ?? stream;
      if (msid) init.streams = [msid];
      this.screenTransceiver = this.pc.addTransceiver(track, init);
      this.protectFrames();
    } else if (track && t) {
      await t.sender.replaceTrack(track);
      t.direction = 'sendonly';
    } else if (t) {
      await t.sender.replaceTrack(null);
      t.direction = 'inactive';
    }
  }

  /**
   * Caps what our camera sends on this connection (bitrate, resolution, frame rate). False when
   * there is no camera sender yet (the answerer before the offer) or the browser refused.
   */
  async applySendQuality(q: SendQuality): Promise<boolean> {
    if (this._closed) return false;
    try {
      return await applySendQuality(this.transceivers.get('video')?.sender, q);
    } catch (err) {
      if (!this._closed) console.warn('pulsemeet: setParameters failed', err);
      return false;
    }
  }

  /**
   * The remote microphone's level since the previous call, 0..1 (0 when unknown): the RMS of the
   * audio energy played in between, or at least the latest packet's level.
   */
  async audioLevel(): Promise<number> {
    const t = this.transceivers.get('audio') ?? this.pc.getTransceivers().find((x) => x.receiver.track.kind === 'audio');
    const latest = t?.receiver.getSynchronizationSources?.()[0]?.audioLevel ?? 0;
    try {
      return this.audioMeter.level(latest, audioEnergyIn(await this.pc.getStats()));
    } catch {
      return latest; // closed meanwhile
    }
  }

  /** The camera is the first video m-line (created with the connection); any later one is a screen. */
  private roleOf(track: MediaStreamTrack, transceiver: TransceiverLike | undefined): TrackRole {
    if (track.kind === 'audio') return 'audio';
    if (!transceiver) return 'camera';
    const firstVideo = this.pc.getTransceivers().find((x) => x.receiver.track.kind === 'video');
    return !firstVideo || firstVideo === transceiver ? 'camera' : 'screen';
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Remote offer/answer from the server. */
  handleDescription(desc: SessionDescriptionData): Promise<void> {
    return this.enqueue(() => this.applyDescription(desc));
  }

  /** Remote ICE candidate from the server; queued until a remote description exists. */
  handleCandidate(candidate: IceCandidateData): Promise<void> {
    return this.enqueue(async () => {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(candidate);
        this.counters.queuedCandidates += 1;
        return;
      }
      await this.addCandidate(candidate);
    });
  }

  /**
   * True when `sdp` comes from a different RTCPeerConnection than the one we are talking to (the
   * remote rebuilt its side after a failed ICE restart): this session cannot take it.
   */
  isFromNewRemoteConnection(sdp: string): boolean {
    const current = this.pc.remoteDescription;
    if (!current) return false;
    const a = sdpFingerprint(current.sdp);
    const b = sdpFingerprint(sdp);
    return a !== null && b !== null && a !== b;
  }

  /** Switch camera/microphone without renegotiation. */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    this.local = { ...this.local, [kind]: track };
    const t = this.transceivers.get(kind);
    if (!t || this._closed) return; // the answerer attaches tracks when the offer arrives
    await t.sender.replaceTrack(track);
  }

  /**
   * New ICE servers (fresh TURN credentials): the connection uses them from now on, and restarts
   * ICE so its relay allocations are made anew with them; media keeps flowing on the current pair
   * until the new one is selected. The restart triggers negotiationneeded, and the new offer goes
   * through perfect negotiation like any other. False when the browser refused the configuration.
   */
  updateIceServers(iceServers: RTCIceServer[]): boolean {
    if (this._closed) return false;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (err) {
      console.warn('pulsemeet: setConfiguration failed', err);
      return false;
    }
    this.iceServers = iceServers;
    this.counters.iceServerUpdates += 1;
    // Nothing gathered yet (an answerer still waiting for the first offer): its first gathering
    // will use the new servers, no restart needed.
    if (!this.pc.localDescription) return true;
    this.negotiationAllowed = true;
    this.pc.restartIce();
    return true;
  }

  /**
   * The server refused one of our messages to this peer with `peer-unreachable` (the server
   * instance it is on could not be reached in time; the message was dropped, never delivered
   * late). We cannot tell which one it was, so after a backoff we re-send whatever the remote
   * may be waiting for: our pending offer (its SDP carries the candidates gathered so far), our
   * last answer (a remote that got it already drops it as stale), and, if we are not connected,
   * restart ICE for fresh candidates through perfect negotiation. Errors that arrive while a
   * repair is pending are covered by it. False once the attempts are used up.
   */
  handleUnreachable(): boolean {
    if (this._closed) return false;
    if (this.repairTimer !== null) return true;
    const delay = UNREACHABLE_RETRY_DELAYS_MS[this.repairs];
    if (delay === undefined) {
      console.warn(`pulsemeet: ${this.remoteId} stays unreachable through the server; giving up re-sending`);
      return false;
    }
    this.repairs += 1;
    this.repairTimer = this.timers.setTimeout(() => {
      this.repairTimer = null;
      void this.enqueue(() => this.repairAfterUnreachable());
    }, delay);
    return true;
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.clearRestartTimer();
    if (this.repairTimer !== null) this.timers.clearTimeout(this.repairTimer);
    this.repairTimer = null;
    if (this.connectTimer !== null) this.timers.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.pendingCandidates = [];
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    if (this.chat) {
      this.chat.onmessage = null;
      this.chat.onopen = null;
    }
    this.chatQueue = [];
    this.pc.onicecandidateerror = null;
    this.opts.e2ee?.detach(this.pc);
    this.pc.close();
  }

  // ---- internals ----

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this._closed) return; // stale message for a closed connection: ignore quietly
      await task();
    });
    // Keep the chain alive after a failure; report it instead.
    this.chain = run.catch((err: unknown) => {
      if (!this._closed) console.warn(`pulsemeet: signaling with ${this.remoteId} failed`, err);
    });
    return this.chain;
  }

  /** Creates the chat channel (same parameters on both sides); false where there are no data channels. */
  private openChat(): boolean {
    const chat = this.pc.createDataChannel?.('chat', { negotiated: true, id: 0, ordered: true }) ?? null;
    if (!chat) return false;
    this.chat = chat;
    chat.onmessage = (ev) => {
      if (!this._closed && typeof ev.data === 'string') this.opts.onChat?.(ev.data);
    };
    chat.onopen = () => {
      this.chatAddedForMessages = false;
      const queued = this.chatQueue;
      this.chatQueue = [];
      for (const text of queued) {
        try {
          chat.send(text);
        } catch {
          return; // closed meanwhile: the rest is lost with it
        }
      }
    };
    return true;
  }

  private async negotiate(): Promise<void> {
    // After a refused answer every offer on this connection would be refused the same way, and
    // the change the rolled-back offer carried keeps asking for one: stop here (see onAnswerRejected).
    if (this._closed || !this.negotiationAllowed || this.offersRefused) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.protectFrames();
      const ld = this.pc.localDescription;
      if (!this._closed && ld && ld.type === 'offer') {
        this.opts.signal({ kind: 'description', description: { type: 'offer', sdp: ld.sdp } });
      }
    } catch (err) {
      if (!this._closed) console.warn('pulsemeet: creating an offer failed', err);
    } finally {
      this.makingOffer = false;
    }
  }

  private async applyDescription(desc: SessionDescriptionData): Promise<void> {
    const pc = this.pc;
    if (desc.type === 'answer' && pc.signalingState !== 'have-local-offer' && !this.isSettingRemoteAnswerPending) {
      // An answer to an offer we no longer have (rolled back, or a duplicate): harmless, drop it.
      this.counters.staleAnswers += 1;
      return;
    }
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
    const offerCollision = desc.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) {
      this.counters.ignoredOffers += 1;
      return;
    }
    // An offer with data: our end of the negotiated channel exists before we answer, so the
    // answer accepts it and nothing needs a re-offer.
    if (desc.type === 'offer' && !this.chat && hasDataSection(desc.sdp)) this.openChat();
    this.isSettingRemoteAnswerPending = desc.type === 'answer';
    try {
      await pc.setRemoteDescription(desc); // polite + collision: implicit rollback
    } catch (err) {
      this.isSettingRemoteAnswerPending = false;
      if (desc.type !== 'answer' || this._closed) throw err;
      await this.answerRejected(err);
      return;
    } finally {
      this.isSettingRemoteAnswerPending = false;
    }
    if (this._closed) return;
    if (desc.type === 'offer') {
      if (!this.negotiationAllowed) await this.attachLocalTracksToOffer();
      await pc.setLocalDescription();
      this.protectFrames();
      const ld = pc.localDescription;
      if (!this._closed && ld && ld.type === 'answer') {
        this.opts.signal({ kind: 'description', description: { type: 'answer', sdp: ld.sdp } });
      }
      this.negotiationAllowed = true;
      const screen = this.pendingScreen;
      this.pendingScreen = null;
      if (screen && !this._closed) await this.setScreenTrack(screen.track, screen.stream);
    }
    await this.flushCandidates();
  }

  /**
   * The browser refused the remote's answer to our offer. Left alone the connection would stay
   * in have-local-offer for good: no later offer, ICE restart or screen share could happen. Roll
   * the offer back (the connection keeps what was negotiated before it, media included), make no
   * more offers here, and let the owner recover with a fresh connection. Chromium refuses the
   * rollback too (measured: after "Failed to set SSL role" every later description fails with
   * ERROR_CONTENT, while media keeps flowing), so there the fresh connection is the only way out.
   */
  private async answerRejected(err: unknown): Promise<void> {
    console.warn(`pulsemeet: ${this.remoteId} sent an answer we cannot take; rolling back`, err);
    this.counters.rejectedAnswers += 1;
    this.offersRefused = true;
    if (this.pc.signalingState === 'have-local-offer') {
      try {
        await this.pc.setLocalDescription({ type: 'rollback' });
      } catch (rollbackErr) {
        console.warn('pulsemeet: rollback failed', rollbackErr);
      }
    }
    if (!this._closed) this.opts.onAnswerRejected?.();
  }

  /** See handleUnreachable. Runs in the signaling chain, so never halfway through a description. */
  private async repairAfterUnreachable(): Promise<void> {
    const pc = this.pc;
    const ld = pc.localDescription;
    this.counters.unreachableRepairs += 1;
    if (pc.signalingState === 'have-local-offer' && ld?.type === 'offer') {
      // The remote never got our offer, or some of its candidates: the same offer again. A
      // remote that had it answers it again, and the second answer is dropped as stale.
      this.opts.signal({ kind: 'description', description: { type: 'offer', sdp: ld.sdp } });
      return;
    }
    if (pc.signalingState !== 'stable' || !ld) return;
    // The remote may be waiting for our answer (have-local-offer on its side).
    if (ld.type === 'answer') this.opts.signal({ kind: 'description', description: { type: 'answer', sdp: ld.sdp } });
    if (pc.connectionState === 'connected') return;
    // Candidates may be missing on either side: new ones, with a new offer.
    this.negotiationAllowed = true;
    pc.restartIce();
  }

  /** Answerer: send our tracks on the transceivers the initiator's offer created. */
  private async attachLocalTracksToOffer(): Promise<void> {
    for (const t of this.pc.getTransceivers()) {
      const kind = t.receiver.track.kind as MediaKind;
      if (this.transceivers.has(kind)) continue;
      this.transceivers.set(kind, t);
      t.direction = 'sendrecv';
      const track = this.local[kind];
      if (this.local.stream && t.sender.setStreams) t.sender.setStreams(this.local.stream);
      if (track) await t.sender.replaceTrack(track);
    }
  }

  private async flushCandidates(): Promise<void> {
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of queued) await this.addCandidate(c);
  }

  private async addCandidate(c: IceCandidateData): Promise<void> {
    try {
      await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null });
    } catch (err) {
      // Candidates of an offer we deliberately ignored are expected to fail.
      if (!this.ignoreOffer && !this._closed) console.warn('pulsemeet: addIceCandidate failed', err);
    }
  }

  private onConnectionStateChange(): void {
    if (this._closed) return;
    const state = this.pc.connectionState;
    this.opts.onConnectionState?.(state);
    if (state === 'connected') {
      this.restartAttempted = false;
      this.repairs = 0;
      this.clearRestartTimer();
      if (this.connectTimer !== null) this.timers.clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.opts.onConnectIssue?.(null);
      return;
    }
    if (state !== 'failed') return;
    this.reportIssue();
    if (!this.restartAttempted) {
      this.restartAttempted = true;
      this.counters.iceRestarts += 1;
      // The side that restarts triggers negotiationneeded and offers with new ICE credentials;
      // perfect negotiation sorts out the case where both sides do it at once.
      this.negotiationAllowed = true;
      this.pc.restartIce();
      this.clearRestartTimer();
      this.restartTimer = this.timers.setTimeout(() => this.escalate(), this.opts.iceRestartTimeoutMs ?? 10_000);
    } else {
      this.escalate();
    }
  }

  /** Still failed after an ICE restart: ask for a brand-new RTCPeerConnection. */
  private escalate(): void {
    this.clearRestartTimer();
    if (this._closed || this.pc.connectionState === 'connected') return;
    // Only the impolite side rebuilds, so the two peers never build new connections at each
    // other at the same time; the polite side takes the new offer when it arrives.
    if (!this.polite) this.opts.onNeedsRebuild?.();
  }

  /** What the evidence so far says about why this connection does not come up. */
  private reportIssue(): void {
    this.opts.onConnectIssue?.(this.evidence.diagnose(this.iceServers));
  }

  private clearRestartTimer(): void {
    if (this.restartTimer !== null) this.timers.clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}

/** Chat messages that may wait for a channel being added; more are refused (reported undelivered). */
const MAX_QUEUED_CHAT = 100;

function hasDataSection(sdp: string): boolean {
  return /^m=application/m.test(sdp);
}

function toCandidateData(c: CandidateLike): IceCandidateData {
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
