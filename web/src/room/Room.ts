// The call, outside React: it owns the signaling client, one PeerSession per remote participant,
// the stats poller, and reacts to local media changes. React subscribes to `snapshot` and renders.
import type { MediaState, ServerMessage } from '../protocol/messages';
import { isPeerUnreachable } from '../protocol/guards';
import { PeerSession, type LocalTracks, type OutgoingSignal } from '../rtc/PeerSession';
import type { ConnectIssue } from '../rtc/connectIssue';
import type { MediaKind, PeerConnectionFactory } from '../rtc/peerConnectionLike';
import { type IceServersFetchResult, lifetimeMs, refreshDelayMs, retryDelayMs } from '../rtc/iceCredentials';
import { chooseSendQuality, sameQuality, type SendQuality } from '../rtc/sendPolicy';
import { computeMetrics, extractSample, pushHistory, type QualityMetrics, type QualityLevel } from '../rtc/stats';
import type { ConnectionState, JoinedEvent, SignalingClient } from '../signaling/SignalingClient';
import { ActiveSpeaker } from './ActiveSpeaker';
import { ChatLog, MAX_CHAT_LENGTH, parseChatWire, type ChatSnapshot, type ChatWireMessage } from './ChatLog';
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
  /** Their shared screen while they share, else null. */
  screenTrack: MediaStreamTrack | null;
  /** What we send them (bandwidth adaptation). */
  sendQuality: SendQuality | null;
  connectionState: RTCPeerConnectionState;
  connectIssue: ConnectIssue | null;
  metrics: QualityMetrics;
  level: QualityLevel;
  history: QualityPoint[];
}

export interface RosterEvent {
  event: 'added' | 'removed';
  peerId: string;
}

export interface RoomSnapshot {
  phase: RoomPhase;
  connection: ConnectionState;
  reconnectAttempt: number;
  maxReconnectAttempts: number;
  localId: string | null;
  remotes: RemoteView[];
  error: { code: string; message: string } | null;
  /** Our own flags as the others see them in media-state. */
  local: { hand: boolean; recording: boolean; screenTrack: MediaStreamTrack | null };
  /** The remote whose voice is loudest lately (null: nobody speaks). */
  activeSpeakerId: string | null;
  chat: ChatSnapshot;
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
  /** How often audio levels are sampled for the active speaker (0: never). */
  speakerIntervalMs?: number;
  now?: () => number;
  /** Screen capture (navigator.mediaDevices.getDisplayMedia in the app). */
  getDisplayMedia?: () => Promise<MediaStream>;
  /**
   * GET /ice-servers with the page's room token: fresh TURN credentials before the ones in use
   * expire (see rtc/iceCredentials). Absent: credentials are never refreshed.
   */
  fetchIceServers?: () => Promise<IceServersFetchResult>;
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
  /** Every participant added or removed, in order: what the page showed as joins and leaves. */
  private roster: RosterEvent[] = [];
  private hand = false;
  private recording = false;
  private screen: { stream: MediaStream; track: MediaStreamTrack } | null = null;
  private readonly speaker = new ActiveSpeaker();
  private speakerTimer: ReturnType<typeof setInterval> | null = null;
  private pollingSpeaker = false;
  private readonly chat = new ChatLog();
  /** The server's clock minus ours (room-joined's timestamp): TURN expiries are on its clock. */
  private clockOffsetMs = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending refresh fires (our clock), while one is pending. */
  private refreshDueAt: number | null = null;
  /** When the credentials the connections use expire (our clock): retries stop there. */
  private credentialsExpireAt = 0;
  private refreshFailures = 0;
  private refreshInFlight = false;
  private credentialRefreshes = 0;

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
    const speakerInterval = this.opts.speakerIntervalMs ?? 250;
    if (speakerInterval > 0) this.speakerTimer = setInterval(() => void this.pollSpeaker(), speakerInterval);
    this.changed();
  }

  setHand(raised: boolean): void {
    this.hand = raised;
    this.sendMediaState();
    this.changed();
  }

  /** Called by the recorder: everyone sees that this call is being recorded. */
  setRecording(on: boolean): void {
    this.recording = on;
    this.sendMediaState();
    this.changed();
  }

  /** Shares a screen (the browser asks which) as an extra video track to everyone. */
  async startScreenShare(): Promise<void> {
    if (this.screen || !this.opts.getDisplayMedia) return;
    const stream = await this.opts.getDisplayMedia();
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    if (this.phase === 'left' || this.screen) {
      track.stop();
      return;
    }
    // The browser's own "Stop sharing" bar ends the track.
    track.addEventListener('ended', () => {
      if (this.screen?.track === track) this.stopScreenShare();
    });
    this.screen = { stream, track };
    for (const r of this.remotes.values()) void r.session?.setScreenTrack(track, stream);
    this.sendMediaState();
    this.changed();
  }

  stopScreenShare(): void {
    const screen = this.screen;
    if (!screen) return;
    this.screen = null;
    screen.track.stop();
    for (const r of this.remotes.values()) void r.session?.setScreenTrack(null, null);
    this.sendMediaState();
    this.changed();
  }

  /** Sends a chat message to everyone over the data channels; marks who it did not reach. */
  sendChat(text: string): void {
    const trimmed = text.trim().slice(0, MAX_CHAT_LENGTH);
    if (!trimmed) return;
    const now = this.opts.now ?? (() => Date.now());
    const message = this.chat.addOwn(this.name, trimmed, now());
    const wire: ChatWireMessage = { type: 'chat', text: trimmed };
    const failed: string[] = [];
    for (const r of this.remotes.values()) {
      if (!r.session || !r.session.sendChat(JSON.stringify(wire))) failed.push(r.name);
    }
    this.chat.markUndelivered(message.id, failed);
    this.changed();
  }

  setChatOpen(open: boolean): void {
    this.chat.setOpen(open);
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

  /** How many times fresh TURN credentials were fetched and applied (for the test hook). */
  get credentialRefreshCount(): number {
    return this.credentialRefreshes;
  }

  rosterLog(): readonly RosterEvent[] {
    return this.roster;
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
    const now = this.opts.now ?? (() => Date.now());
    if (message.timestamp !== undefined) this.clockOffsetMs = message.timestamp - now();
    if (message.data.iceServers) this.iceServers = message.data.iceServers;
    this.iceTransportPolicy = this.opts.forceRelay ? 'relay' : (message.data.iceTransportPolicy ?? 'all');
    const listed = new Set(message.data.peers.map((p) => p.peerId));
    if (rejoin && !resumed) {
      // New identity: the others see a new peer and will offer to us; start from scratch.
      for (const id of [...this.remotes.keys()]) this.removeRemote(id);
    } else if (rejoin) {
      // Same identity: keep the live connections. A peer not listed either left while we were
      // away, or (server restart) has not come back yet: keep it while media still flows.
      for (const [id, r] of [...this.remotes]) {
        if (listed.has(id)) r.unconfirmed = false;
        else if (isLive(r.connectionState)) r.unconfirmed = true;
        else this.removeRemote(id);
      }
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
      this.roster.push({ event: 'added', peerId: p.peerId });
      // After a resume, a peer we have never met joined while we were away; it waits for an
      // offer from us, the peer that was already in the room.
      if (resumed) this.startSession(remote, true);
    }
    // Connections kept across a resume still use the credentials they were made with: a refresh
    // already planned for those stays if it comes sooner.
    const kept = [...this.remotes.values()].some((r) => r.session && !r.session.closed);
    this.planCredentialRefresh(rejoin && resumed && kept);
    this.phase = 'joined';
    this.error = null;
    this.lastSentMedia = null;
    this.sendMediaState();
    this.changed();
  }

  private onMessage(msg: ServerMessage): void {
    if ('peerId' in msg && msg.type !== 'peer-left') {
      const from = this.remotes.get(msg.peerId);
      if (from) from.unconfirmed = false; // it is back in the room
    }
    switch (msg.type) {
      case 'peer-joined': {
        let remote = this.remotes.get(msg.peerId);
        if (!remote) {
          remote = new RemoteParticipant(msg.peerId, msg.data.name || 'Guest', msg.data.media ?? { audio: true, video: true, screen: false });
          this.remotes.set(msg.peerId, remote);
          this.roster.push({ event: 'added', peerId: msg.peerId });
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
        // A message to this peer was dropped on the way (docs/protocol.md): its session re-sends.
        if (isPeerUnreachable(msg)) this.remotes.get(msg.targetId)?.session?.handleUnreachable();
        else this.onServerError(msg.code, msg.error);
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
      onRemoteTrack: (track, role) => {
        if (remote.session !== session) return;
        if (role === 'screen') remote.screenTrack = track;
        else remote.setTrack(track);
        this.changed();
      },
      onChat: (data) => {
        if (remote.session !== session) return;
        const chat = parseChatWire(data);
        if (!chat) return;
        const now = this.opts.now ?? (() => Date.now());
        this.chat.addIncoming(remote.id, remote.name, chat.text, now());
        this.changed();
      },
      onConnectionState: (state) => {
        if (remote.session !== session) return;
        remote.connectionState = state;
        // An unconfirmed peer (see RemoteParticipant) whose connection died is gone for good.
        if (remote.unconfirmed && !isLive(state)) this.removeRemote(remote.id);
        // Limits apply from the moment media flows, and the room size may have changed.
        if (state === 'connected') this.adaptSenders();
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
    if (this.screen) void session.setScreenTrack(this.screen.track, this.screen.stream);
  }

  private removeRemote(id: string): void {
    const r = this.remotes.get(id);
    if (!r) return;
    r.session?.close();
    r.session = null;
    this.remotes.delete(id);
    this.roster.push({ event: 'removed', peerId: id });
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
      screen: this.screen !== null,
    };
    // Extra flags only while set: a missing flag means off, and older clients see nothing new.
    if (this.hand) state.hand = true;
    if (this.recording) state.recording = true;
    const key = JSON.stringify(state);
    if (key === this.lastSentMedia) return;
    if (this.signaling.send({ type: 'media-state', data: state })) this.lastSentMedia = key;
  }

  // ---- TURN credentials ----

  private ended(): boolean {
    return this.phase === 'left' || this.phase === 'full' || this.phase === 'rejected';
  }

  /**
   * Plans the next fetch of fresh TURN credentials for `this.iceServers`, just received. Nothing
   * when they do not expire. `keepSooner`: a refresh already pending (or running) that comes no
   * later stays as it is.
   */
  private planCredentialRefresh(keepSooner: boolean): void {
    if (!this.opts.fetchIceServers) return;
    const now = (this.opts.now ?? (() => Date.now()))();
    const serverNow = now + this.clockOffsetMs;
    const delay = refreshDelayMs(this.iceServers, serverNow);
    if (keepSooner && (this.refreshInFlight || (this.refreshDueAt !== null && (delay === null || this.refreshDueAt <= now + delay)))) return;
    this.clearRefreshTimer();
    this.refreshFailures = 0;
    if (delay === null) return;
    this.credentialsExpireAt = now + (lifetimeMs(this.iceServers, serverNow) ?? 0);
    this.setRefreshTimer(delay, now);
  }

  private setRefreshTimer(delay: number, now: number): void {
    this.clearRefreshTimer();
    this.refreshDueAt = now + delay;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refreshDueAt = null;
      void this.refreshCredentials();
    }, delay);
  }

  private clearRefreshTimer(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.refreshDueAt = null;
  }

  /**
   * Fetches fresh ICE servers; on success every connection takes them and restarts ICE (new
   * relay allocations with the new credentials), later connections are made with them, and the
   * next refresh is planned from their expiry. On failure: retries with backoff until the
   * credentials in use expire; a refused room token ends the refreshing.
   */
  private async refreshCredentials(): Promise<void> {
    const fetchIceServers = this.opts.fetchIceServers;
    if (!fetchIceServers || this.ended() || this.refreshInFlight) return;
    this.refreshInFlight = true;
    let result: IceServersFetchResult;
    try {
      result = await fetchIceServers();
    } catch (err) {
      result = { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
    } finally {
      this.refreshInFlight = false;
    }
    if (this.ended()) return;
    if (result.kind === 'ok') {
      this.iceServers = result.response.iceServers;
      for (const r of this.remotes.values()) r.session?.updateIceServers(this.iceServers);
      this.credentialRefreshes += 1;
      this.planCredentialRefresh(false);
      return;
    }
    if (result.kind === 'refused') {
      console.warn(
        `pulsemeet: cannot renew TURN credentials: the room token was refused (${result.code}); relayed connections may drop once the current credentials expire`,
      );
      return;
    }
    const now = (this.opts.now ?? (() => Date.now()))();
    const delay = retryDelayMs(this.refreshFailures, this.credentialsExpireAt - now);
    this.refreshFailures += 1;
    if (delay === null) {
      console.warn(`pulsemeet: cannot renew TURN credentials (${result.reason}); the current ones have expired, giving up`);
      return;
    }
    console.warn(`pulsemeet: cannot renew TURN credentials (${result.reason}); retrying in ${Math.round(delay / 1000)} s`);
    this.setRefreshTimer(delay, now);
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
    if (this.adaptSenders()) any = true;
    if (any) this.changed();
  }

  /**
   * Bandwidth adaptation: re-decides every connection's send limits from the number of peers we
   * upload to and that connection's measured loss and round trip. True when anything changed.
   */
  private adaptSenders(): boolean {
    let changed = false;
    const peers = this.remotes.size;
    for (const r of this.remotes.values()) {
      const s = r.session;
      if (!s || s.closed || r.connectionState !== 'connected') continue;
      const q = chooseSendQuality({ peers, lossPercent: r.metrics.lossPercent, rttMs: r.metrics.rttMs });
      if (sameQuality(r.sendQuality, q)) continue;
      r.sendQuality = q;
      changed = true;
      void s.applySendQuality(q).then((ok) => {
        if (!ok && r.session === s && r.sendQuality === q) r.sendQuality = null; // retried next round
      });
    }
    return changed;
  }

  private async pollSpeaker(): Promise<void> {
    if (this.pollingSpeaker) return; // a slow getStats must not pile up polls
    this.pollingSpeaker = true;
    try {
      const levels = new Map<string, number>();
      await Promise.all(
        [...this.remotes.values()].map(async (r) => {
          // A muted microphone sends silence anyway; don't let noise pretend otherwise.
          const level = r.media.audio && r.session && !r.session.closed ? await r.session.audioLevel() : 0;
          if (this.remotes.get(r.id) === r) levels.set(r.id, r.media.audio ? level : 0);
        }),
      );
      const before = this.speaker.speaker;
      const now = this.opts.now ?? (() => Date.now());
      if (this.speaker.update(levels, now()) !== before) this.changed();
    } finally {
      this.pollingSpeaker = false;
    }
  }

  // ---- lifecycle + snapshot ----

  private shutdown(phase: RoomPhase): void {
    for (const id of [...this.remotes.keys()]) this.removeRemote(id);
    for (const u of this.unsubscribers) u();
    this.unsubscribers = [];
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (this.speakerTimer) clearInterval(this.speakerTimer);
    this.speakerTimer = null;
    this.clearRefreshTimer();
    this.stopScreenShare();
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
      local: { hand: this.hand, recording: this.recording, screenTrack: this.screen?.track ?? null },
      activeSpeakerId: this.speaker.speaker,
      chat: this.chat.snapshot,
      remotes: [...this.remotes.values()].map((r) => ({
        id: r.id,
        name: r.name,
        media: r.media,
        audioTrack: r.track('audio')?.mediaStreamTrack ?? null,
        videoTrack: r.track('video')?.mediaStreamTrack ?? null,
        screenTrack: r.media.screen ? r.screenTrack : null,
        sendQuality: r.sendQuality,
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

/** Media can still flow (or come back by itself) on a connection in this state. */
function isLive(state: RTCPeerConnectionState): boolean {
  return state !== 'failed' && state !== 'closed';
}
