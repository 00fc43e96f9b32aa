// The call, outside React: it owns the signaling client, one PeerSession per remote participant,
// the stats poller, and reacts to local media changes. React subscribes to `snapshot` and renders.
import type { MediaState, ServerMessage } from '../protocol/messages';
import { PeerSession, type LocalTracks, type OutgoingSignal } from '../rtc/PeerSession';
import type { ConnectIssue } from '../rtc/connectIssue';
import type { MediaKind, PeerConnectionFactory } from '../rtc/peerConnectionLike';
import { computeMetrics, extractSample, pushHistory, type QualityMetrics, type QualityLevel } from '../rtc/stats';
import type { ConnectionState, JoinedEvent, SignalingClient } from '../signaling/SignalingClient';
import { RemoteParticipant, type QualityPoint } from './Participant';
import { isAccessRefusalCode } from '../access/accessRefusal';

export type RoomPhase =
  | 'idle' // lobby, not connected
  | 'connecting' // first connection + join in flight
  | 'joined'
  | 'reconnecting' // socket lost; media keeps flowing on the existing connections
  | 'failed' // gave up reconnecting: the UI offers Retry
  | 'full' // the server refused: room-full
  | 'rejected' // invalid or forbidden room id, or the room token was refused
  | 'left';

/** What the room needs from local media (LocalMedia in the app, a fake in tests). */
export interface LocalMediaSource {
  readonly stream: MediaStream | null;
  readonly snapshot: {
    audioTrack: MediaStreamTrack | null;
    videoTrack: MediaStreamTrack | null;
    audioEnabled: boolean;
    videoEnabled: boolean;
  };
  subscribe(fn: () => void): () => void;
  onTrackChanged(fn: (kind: MediaKind, track: MediaStreamTrack | null) => void): () => void;
}

export interface RemoteView {
  id: string;
  name: string;
  media: MediaState;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  connectionState: RTCPeerConnectionState;
  connectIssue: ConnectIssue | null;
  metrics: QualityMetrics;
  level: QualityLevel;
  history: QualityPoint[];
}

export interface RoomSnapshot {
  phase: RoomPhase;
  connection: ConnectionState;
  reconnectAttempt: number;
  maxReconnectAttempts: number;
  localId: string | null;
  remotes: RemoteView[];
  error: { code: string; message: string } | null;
}

export interface RoomOptions {
  roomId: string;
  name: string;
  signaling: SignalingClient;
  media: LocalMediaSource;
  createPeerConnection: PeerConnectionFactory;
  /** ?relay=1 on the link: TURN only, whatever the server's policy. */
  forceRelay?: boolean;
  /** How long a peer connection may take before the call says why it does not connect. */
  connectTimeoutMs?: number;
  statsIntervalMs?: number;
  now?: () => number;
}

export class Room {
  readonly roomId: string;
  private name: string;
  private readonly signaling: SignalingClient;
  private readonly media: LocalMediaSource;
  private readonly opts: RoomOptions;
  private remotes = new Map<string, RemoteParticipant>();
  private phase: RoomPhase = 'idle';
  private localId: string | null = null;
  private iceServers: RTCIceServer[] = [];
  private iceTransportPolicy: RTCIceTransportPolicy = 'all';
  private error: RoomSnapshot['error'] = null;
  private listeners = new Set<() => void>();
  private snap: RoomSnapshot;
  private unsubscribers: Array<() => void> = [];
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private lastSentMedia: string | null = null;

  constructor(opts: RoomOptions) {
    this.opts = opts;
    this.roomId = opts.roomId;
    this.name = opts.name;
    this.signaling = opts.signaling;
    this.media = opts.media;
    this.snap = this.buildSnapshot();
  }

  // ---- public API (the UI calls these) ----

  get snapshot(): RoomSnapshot {
    return this.snap;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  join(): void {
    if (this.phase !== 'idle') return;
    this.unsubscribers.push(
      this.signaling.on('state', (s) => this.onConnectionState(s)),
      this.signaling.on('joined', (ev) => this.onJoined(ev)),
      this.signaling.on('message', (m) => this.onMessage(m)),
      this.signaling.on('refused', (code) => this.onServerError(code, code)),
      this.media.onTrackChanged((kind, track) => this.onLocalTrack(kind, track)),
      this.media.subscribe(() => this.sendMediaState()),
    );
    this.phase = 'connecting';
    this.signaling.join(this.roomId, this.name);
    const interval = this.opts.statsIntervalMs ?? 2_000;
    if (interval > 0) this.statsTimer = setInterval(() => void this.pollStats(), interval);
    this.changed();
  }

  leave(): void {
    this.shutdown('left');
  }

  retry(): void {
    this.signaling.retry();
  }

  /** The user pressed Retry next to a participant we cannot connect to: a fresh connection. */
  retryPeer(remoteId: string): void {
    const remote = this.remotes.get(remoteId);
    if (!remote || this.phase !== 'joined') return;
    this.startSession(remote, true);
    this.changed();
  }

  /** The ICE transport policy peer connections are made with ('relay': TURN only). */
  get transportPolicy(): RTCIceTransportPolicy {
    return this.iceTransportPolicy;
  }

  /** For the test hook and the stats panel: remote id -> RTCPeerConnection. */
  peerConnections(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [id, p] of this.remotes) if (p.session) out.set(id, p.session.pc);
    return out;
  }

  session(remoteId: string): PeerSession | null {
    return this.remotes.get(remoteId)?.session ?? null;
  }

  // ---- signaling events ----

  private onConnectionState(s: ConnectionState): void {
    if (this.phase === 'full' || this.phase === 'rejected' || this.phase === 'left') return;
    if (s === 'reconnecting') this.phase = this.localId ? 'reconnecting' : 'connecting';
    else if (s === 'failed') this.phase = 'failed';
    else if (s === 'connecting') this.phase = 'connecting';
    // 'open' changes nothing visible until room-joined arrives.
    this.changed();
  }

  private onJoined({ message, resumed, rejoin }: JoinedEvent): void {
    this.localId = message.peerId;
    if (message.data.iceServers) this.iceServers = message.data.iceServers;
    this.iceTransportPolicy = this.opts.forceRelay ? 'relay' : (message.data.iceTransportPolicy ?? 'all');
    const listed = new Set(message.data.peers.map((p) => p.peerId));
    if (rejoin && !resumed) {
      // New identity: the others see a new peer and will offer to us; start from scratch.
      for (const id of [...this.remotes.keys()]) this.removeRemote(id);
    } else if (rejoin) {
      // Same identity: keep the live connections; forget peers that left while we were away.
      for (const id of [...this.remotes.keys()]) if (!listed.has(id)) this.removeRemote(id);
    }
    for (const p of message.data.peers) {
      const existing = this.remotes.get(p.peerId);
      if (existing) {
        existing.name = p.name || existing.name;
        existing.media = p.media;
        continue;
      }
      const remote = new RemoteParticipant(p.peerId, p.name || 'Guest', p.media);
      this.remotes.set(p.peerId, remote);
      // After a resume, a peer we have never met joined while we were away; it waits for an
      // offer from us, the peer that was already in the room.
      if (resumed) this.startSession(remote, true);
    }
    this.phase = 'joined';
    this.error = null;
    this.lastSentMedia = null;
    this.sendMediaState();
    this.changed();
  }

  private onMessage(msg: ServerMessage): void {
    switch (msg.type) {
      case 'peer-joined': {
        let remote = this.remotes.get(msg.peerId);
        if (!remote) {
          remote = new RemoteParticipant(msg.peerId, msg.data.name || 'Guest', msg.data.media ?? { audio: true, video: true, screen: false });
          this.remotes.set(msg.peerId, remote);
        } else {
          remote.name = msg.data.name || remote.name;
        }
        // We were here first: we make the offer.
        this.startSession(remote, true);
        this.changed();
        return;
      }
      case 'peer-left':
        this.removeRemote(msg.peerId);
        this.changed();
        return;
      case 'offer': {
        const remote = this.remotes.get(msg.peerId);
        if (!remote) return; // offer from a peer we were never told about: ignore
        const s = remote.session;
        if (!s || s.closed || s.isFromNewRemoteConnection(msg.data.sdp)) this.startSession(remote, false);
        void remote.session?.handleDescription(msg.data);
        return;
      }
      case 'answer':
        // No session: an answer for a connection we already closed. Ignore.
        void this.remotes.get(msg.peerId)?.session?.handleDescription(msg.data);
        return;
      case 'ice-candidate': {
        const remote = this.remotes.get(msg.peerId);
        if (!remote) return;
        // A candidate ahead of its offer: open the (answering) session now so it is queued.
        if (!remote.session || remote.session.closed) this.startSession(remote, false);
        void remote.session?.handleCandidate(msg.data);
        return;
      }
      case 'media-state': {
        const remote = this.remotes.get(msg.peerId);
        if (!remote) return;
        remote.media = msg.data;
        this.changed();
        return;
      }
      case 'error':
        this.onServerError(msg.code, msg.error);
        return;
      default:
        return;
    }
  }

  private onServerError(code: string | undefined, text: string): void {
    if (code === 'room-full') {
      this.error = { code, message: text };
      this.shutdown('full');
    } else if (code === 'invalid-room-id' || code === 'forbidden-room' || code === 'invalid-name' || isAccessRefusalCode(code)) {
      this.error = { code, message: text };
      this.shutdown('rejected');
    } else {
      // Per-message errors (e.g. peer-not-found for a candidate to someone who just left) are
      // expected in a live mesh and do not end the call.
      console.warn(`pulsemeet: server error ${code ?? ''}: ${text}`);
    }
  }

  // ---- peer sessions ----

  private startSession(remote: RemoteParticipant, initiator: boolean): void {
    remote.session?.close();
    remote.resetMedia();
    if (!this.localId) return;
    const snap = this.media.snapshot;
    const local: LocalTracks = { audio: snap.audioTrack, video: snap.videoTrack, stream: this.media.stream };
    const session: PeerSession = new PeerSession({
      localId: this.localId,
      remoteId: remote.id,
      initiator,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
      local,
      createPeerConnection: this.opts.createPeerConnection,
      signal: (s) => this.sendSignal(remote.id, s),
      onRemoteTrack: (track) => {
        if (remote.session !== session) return;
        remote.setTrack(track);
        this.changed();
      },
      onConnectionState: (state) => {
        if (remote.session !== session) return;
        remote.connectionState = state;
        this.changed();
      },
      onConnectIssue: (issue) => {
        if (remote.session !== session) return;
        remote.connectIssue = issue;
        this.changed();
      },
      connectTimeoutMs: this.opts.connectTimeoutMs,
      onNeedsRebuild: () => {
        if (remote.session !== session || !this.remotes.has(remote.id)) return;
        // A full re-offer on a brand-new RTCPeerConnection.
        this.startSession(remote, true);
        this.changed();
      },
    });
    remote.session = session;
  }

  private removeRemote(id: string): void {
    const r = this.remotes.get(id);
    if (!r) return;
    r.session?.close();
    r.session = null;
    this.remotes.delete(id);
  }

  private sendSignal(targetId: string, s: OutgoingSignal): void {
    // While the socket is down these are lost; an established connection does not need them,
    // and a new one is renegotiated after the rejoin.
    if (s.kind === 'description') this.signaling.send({ type: s.description.type, targetId, data: s.description });
    else this.signaling.send({ type: 'ice-candidate', targetId, data: s.candidate });
  }

  private onLocalTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    for (const r of this.remotes.values()) {
      r.session?.replaceTrack(kind, track).catch((err: unknown) => console.warn('pulsemeet: replaceTrack failed', err));
    }
  }

  private sendMediaState(): void {
    if (this.phase !== 'joined') return;
    const snap = this.media.snapshot;
    const state: MediaState = {
      audio: snap.audioEnabled && !!snap.audioTrack,
      video: snap.videoEnabled && !!snap.videoTrack,
      screen: false,
    };
    const key = JSON.stringify(state);
    if (key === this.lastSentMedia) return;
    if (this.signaling.send({ type: 'media-state', data: state })) this.lastSentMedia = key;
  }

  // ---- stats ----

  private async pollStats(): Promise<void> {
    const now = this.opts.now ?? (() => Date.now());
    let any = false;
    await Promise.all(
      [...this.remotes.values()].map(async (r) => {
        const s = r.session;
        if (!s || s.closed) return;
        try {
          const report = await s.getStats();
          if (r.session !== s) return;
          const sample = extractSample(report, now());
          const m = computeMetrics(r.lastSample, sample);
          r.lastSample = sample;
          r.metrics = m;
          r.history = pushHistory(r.history, {
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
    if (any) this.changed();
  }

  // ---- lifecycle + snapshot ----

  private shutdown(phase: RoomPhase): void {
    for (const id of [...this.remotes.keys()]) this.removeRemote(id);
    for (const u of this.unsubscribers) u();
    this.unsubscribers = [];
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.signaling.close();
    this.phase = phase;
    this.changed();
  }

  private buildSnapshot(): RoomSnapshot {
    return {
      phase: this.phase,
      connection: this.signaling.state,
      reconnectAttempt: this.signaling.attempts,
      maxReconnectAttempts: this.signaling.maxAttempts,
      localId: this.localId,
      error: this.error,
      remotes: [...this.remotes.values()].map((r) => ({
        id: r.id,
        name: r.name,
        media: r.media,
        audioTrack: r.track('audio')?.mediaStreamTrack ?? null,
        videoTrack: r.track('video')?.mediaStreamTrack ?? null,
        connectionState: r.connectionState,
        connectIssue: r.connectIssue,
        metrics: r.metrics,
        level: r.metrics.level,
        history: r.history,
      })),
    };
  }

  private changed(): void {
    this.snap = this.buildSnapshot();
    for (const fn of [...this.listeners]) fn();
  }
}
