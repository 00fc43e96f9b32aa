// The call, outside React: who is in the room, what we announce, the chat and the call's phase.
// It owns the signaling client and hands everything about media to a MediaTransport (the mesh,
// or the media server's, as the room's mode says; TransportSwitch moves between them), which it
// never looks inside. React subscribes to `snapshot` and renders.
import type { ClientMessage, MediaState, RoomMode, ServerMessage } from '../protocol/messages';
import { CredentialRenewal } from '../rtc/CredentialRenewal';
import type { IceServersFetchResult } from '../rtc/iceCredentials';
import { isPeerUnreachable } from '../protocol/guards';
import type { MediaKind, PeerConnectionFactory } from '../rtc/peerConnectionLike';
import type { ConnectionState, JoinedEvent, SignalingClient } from '../signaling/SignalingClient';
import { isMediaMessage, type MediaTransport, type MediaTransportEvents, type ScreenShare } from '../transport/MediaTransport';
import { MeshTransport } from '../transport/MeshTransport';
import { MoveTrace, type TraceEntry } from '../transport/MoveTrace';
import { SfuTransport } from '../transport/SfuTransport';
import { ActiveSpeaker } from './ActiveSpeaker';
import { cameraForwarded, forwardedCameras } from './bigRoom';
import { ChatLog, MAX_CHAT_LENGTH } from './ChatLog';
import { RemoteParticipant } from './Participant';
import { remoteView, type RoomPhase, type RoomSnapshot, type RosterEvent } from './RoomSnapshot';
import { TransportSwitch } from './TransportSwitch';
import { isAccessRefusalCode } from '../access/accessRefusal';
import type { E2eeSession } from '../e2ee/E2eeSession';
import type { CryptoCost } from '../e2ee/protocol';
import type { E2eeProblem } from './RoomSnapshot';

export type { RemoteView, RoomPhase, RoomSnapshot, RosterEvent } from './RoomSnapshot';

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
  /**
   * Video frames decoded from a remote's camera on a transport: a move between mesh and media
   * server waits for them. Default: the transport's own count (getStats).
   */
  framesDecoded?: (transport: MediaTransport, peerId: string) => Promise<number>;
  /** A move between mesh and media server not ready after this long is made anyway. */
  switchDeadlineMs?: number;
  /** End-to-end encryption (the link's key, or none): transforms on every connection. Closed with the room. */
  e2ee?: E2eeSession;
}

export class Room {
  readonly roomId: string;
  private name: string;
  private readonly signaling: SignalingClient;
  private readonly media: LocalMediaSource;
  private readonly opts: RoomOptions;
  private readonly now: () => number;
  /** What carries the media: the mesh or the media server's, and the move between them. */
  private readonly transport: TransportSwitch;
  private readonly renewal: CredentialRenewal | null;
  private remotes = new Map<string, RemoteParticipant>();
  private phase: RoomPhase = 'idle';
  private localId: string | null = null;
  /** For connections made from now on: room-joined's, or the last renewed ones. */
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
  private screen: ScreenShare | null = null;
  private readonly speaker = new ActiveSpeaker();
  private speakerTimer: ReturnType<typeof setInterval> | null = null;
  private pollingSpeaker = false;
  private readonly chat = new ChatLog();
  /** Joining and moves between mesh and media server, timed (the test hook reads it). */
  private readonly trace = new MoveTrace();
  /** On the media server: its active speaker (every client agrees on it). */
  private serverSpeakerId: string | null = null;
  /** On the media server: whose camera it forwards to us (null: not said, or on the mesh). */
  private forwardedVideo: Set<string> | null = null;
  /** Who we pinned: the media server forwards their camera whatever last-N says. */
  private pinnedId: string | null = null;

  constructor(opts: RoomOptions) {
    this.opts = opts;
    this.roomId = opts.roomId;
    this.name = opts.name;
    this.signaling = opts.signaling;
    this.media = opts.media;
    this.now = opts.now ?? (() => Date.now());
    this.transport = new TransportSwitch({
      create: (mode, events) => this.createTransport(mode, events),
      members: () => [...this.remotes.values()].map((r) => ({ id: r.id, sendsVideo: r.media.video })),
      events: {
        remoteChanged: (peerId) => this.onRemoteMediaChanged(peerId),
        chatReceived: (peerId, text) => this.onChatReceived(peerId, text),
      },
      switched: () => this.changed(),
      framesDecoded: opts.framesDecoded,
      deadlineMs: opts.switchDeadlineMs,
      trace: (event, detail) => this.trace.record(`switch:${event}`, detail),
    });
    this.renewal = opts.fetchIceServers
      ? new CredentialRenewal({
          fetchIceServers: opts.fetchIceServers,
          apply: (servers) => {
            this.iceServers = servers;
            this.transport.renewIceServers(servers);
          },
          now: this.now,
        })
      : null;
    this.snap = this.buildSnapshot();
    opts.e2ee?.subscribe(() => this.changed());
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
      this.media.onTrackChanged((kind, track) => this.transport.replaceTrack(kind, track)),
      this.media.subscribe(() => this.sendMediaState()),
    );
    this.phase = 'connecting';
    this.trace.record('join');
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
    this.transport.setScreenShare(this.screen);
    this.sendMediaState();
    this.changed();
  }

  stopScreenShare(): void {
    const screen = this.screen;
    if (!screen) return;
    this.screen = null;
    screen.track.stop();
    this.transport.setScreenShare(null);
    this.sendMediaState();
    this.changed();
  }

  /** Sends a chat message to everyone; marks who it did not reach. */
  sendChat(text: string): void {
    const trimmed = text.trim().slice(0, MAX_CHAT_LENGTH);
    if (!trimmed) return;
    const message = this.chat.addOwn(this.name, trimmed, this.now());
    const reached = this.transport.sendChat(trimmed);
    const failed = [...this.remotes.values()].filter((r) => !reached.has(r.id)).map((r) => r.name);
    this.chat.markUndelivered(message.id, failed);
    this.changed();
  }

  setChatOpen(open: boolean): void {
    this.chat.setOpen(open);
    this.changed();
  }

  /** Pins a remote (null: nobody); on the media server, last-N then keeps their camera coming. */
  setPinned(peerId: string | null): void {
    if (peerId === this.pinnedId) return;
    this.pinnedId = peerId;
    this.sendPinView();
  }

  leave(): void {
    this.shutdown('left');
  }

  retry(): void {
    this.signaling.retry();
  }

  /** The user pressed Retry next to a participant we cannot connect to: a fresh connection. */
  retryPeer(remoteId: string): void {
    if (!this.remotes.has(remoteId) || this.phase !== 'joined') return;
    this.transport.reconnectPeer(remoteId);
    this.changed();
  }

  /** The ICE transport policy peer connections are made with ('relay': TURN only). */
  get transportPolicy(): RTCIceTransportPolicy {
    return this.iceTransportPolicy;
  }

  /** For the test hook: remote id -> RTCPeerConnection. */
  peerConnections(): Map<string, unknown> {
    return this.transport.connections();
  }

  /** For the test hook: remote id -> the mids that carry its tracks on the media server connection. */
  receivedMids(): Map<string, string[]> {
    return this.transport.receivedMids();
  }

  /** For the test hook: which transport feeds the tiles ('mesh' or 'sfu'). */
  get mediaTransport(): RoomMode {
    return this.transport.activeMode;
  }

  /** For the test hook: every RTCPeerConnection we have, during a move those of both transports. */
  outboundConnections(): unknown[] {
    return this.transport.outboundConnections();
  }

  /** How many times fresh TURN credentials were fetched and applied (for the test hook). */
  get credentialRefreshCount(): number {
    return this.renewal?.count ?? 0;
  }

  /** For the test hook: the frame worker's counters (end-to-end encryption). */
  e2eeCost(): Promise<CryptoCost | null> {
    return this.opts.e2ee?.cost() ?? Promise.resolve(null);
  }

  rosterLog(): readonly RosterEvent[] {
    return this.roster;
  }

  /** For the test hook: joining and moves between transports, timed (performance.now()). */
  traceLog(): readonly TraceEntry[] {
    return this.trace.entries();
  }

  // ---- the transport ----

  /** The one place that names the implementations: the room's mode picks one. */
  private createTransport(mode: RoomMode, events: MediaTransportEvents): MediaTransport {
    const common = {
      createPeerConnection: this.opts.createPeerConnection,
      localTracks: () => ({ audio: this.media.snapshot.audioTrack, video: this.media.snapshot.videoTrack, stream: this.media.stream }),
      send: (msg: ClientMessage) => this.signaling.send(msg),
      events,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      now: this.now,
      e2ee: this.opts.e2ee,
    };
    if (mode === 'mesh') return new MeshTransport(common);
    return new SfuTransport({ ...common, trace: (event, detail) => this.trace.record(`sfu:${event}`, detail) });
  }

  private onRemoteMediaChanged(peerId: string): void {
    // An unconfirmed participant (see RemoteParticipant) whose connection died is gone for good.
    if (this.remotes.get(peerId)?.unconfirmed && !this.mediaStillFlows(peerId)) this.removeRemote(peerId);
    this.changed();
  }

  private onChatReceived(peerId: string, text: string): void {
    const remote = this.remotes.get(peerId);
    if (!remote) return;
    this.chat.addIncoming(remote.id, remote.name, text, this.now());
    this.changed();
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
    this.trace.record('joined', message.mode);
    this.localId = message.peerId;
    if (message.data.name) this.name = message.data.name; // e.g. "Guest 2": what the others see
    if (message.data.iceServers) this.iceServers = message.data.iceServers;
    this.iceTransportPolicy = this.opts.forceRelay ? 'relay' : (message.data.iceTransportPolicy ?? 'all');
    this.transport.start({ localId: message.peerId, iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy });
    const listed = new Set(message.data.peers.map((p) => p.peerId));
    if (rejoin && !resumed) {
      // New identity: the others see a new peer and will offer to us; start from scratch. Except
      // someone not listed (not back yet after an outage) whose media still flows: kept, as
      // below, until that connection dies or they come back under a new id (addRemote).
      for (const [id, r] of [...this.remotes]) {
        if (!listed.has(id) && this.mediaStillFlows(id)) r.unconfirmed = true;
        else this.removeRemote(id);
      }
    } else if (rejoin) {
      // Same identity: keep the live connections. A peer not listed either left while we were
      // away, or (server restart) has not come back yet: keep it while media still flows.
      for (const [id, r] of [...this.remotes]) {
        if (listed.has(id)) r.unconfirmed = false;
        else if (this.mediaStillFlows(id)) r.unconfirmed = true;
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
      this.addRemote(new RemoteParticipant(p.peerId, p.name || 'Guest', p.media));
      // After a resume, a peer we have never met joined while we were away: it came after us.
      this.transport.addPeer(p.peerId, resumed);
    }
    // Once the room's members are known (a new identity dropped every old connection): the
    // mode may keep the transport, replace one with no connections, or start a move.
    this.transport.setMode(message.mode);
    // Connections kept across a resume still use the credentials they were made with: a refresh
    // already planned for those stays if it comes sooner.
    this.renewal?.schedule(this.iceServers, message.timestamp, rejoin && resumed && this.transport.hasOpenConnections());
    this.phase = 'joined';
    this.error = null;
    this.lastSentMedia = null;
    this.sendMediaState();
    this.changed();
  }

  private onMessage(msg: ServerMessage): void {
    const senderId = msg.type === 'chat' ? msg.from : 'peerId' in msg && msg.type !== 'peer-left' ? msg.peerId : null;
    const sender = senderId === null ? undefined : this.remotes.get(senderId);
    if (sender) sender.unconfirmed = false; // it is back in the room
    if (isMediaMessage(msg)) {
      // A refused sfu-offer is the media server transport's to handle, and worth a log line.
      if (msg.type === 'error') this.onServerError(msg.code, msg.error);
      this.transport.handleMessage(msg);
      return;
    }
    switch (msg.type) {
      case 'peer-joined': {
        const remote = this.remotes.get(msg.peerId);
        if (!remote) this.addRemote(new RemoteParticipant(msg.peerId, msg.data.name || 'Guest', msg.data.media ?? { audio: true, video: true, screen: false }));
        else remote.name = msg.data.name || remote.name;
        this.transport.addPeer(msg.peerId, true);
        this.changed();
        return;
      }
      case 'peer-left':
        this.removeRemote(msg.peerId);
        this.changed();
        return;
      case 'media-state': {
        const remote = this.remotes.get(msg.peerId);
        if (!remote) return;
        remote.media = msg.data;
        this.changed();
        return;
      }
      case 'room-mode':
        this.transport.setMode(msg.mode);
        if (msg.mode === 'mesh') {
          this.serverSpeakerId = null;
          this.forwardedVideo = null;
        } else if (this.pinnedId !== null) {
          this.sendPinView();
        }
        this.changed();
        return;
      case 'active-speaker':
        if (this.transport.mode !== 'sfu') return;
        this.serverSpeakerId = msg.peerId;
        this.changed();
        return;
      case 'sfu-forwarding':
        this.forwardedVideo = forwardedCameras(msg.video);
        // A pin sent before our first offer reached the media server is not known there yet.
        if (this.pinnedId !== null && !this.forwardedVideo.has(this.pinnedId)) this.sendPinView();
        this.changed();
        return;
      case 'chat':
        // Over the WebSocket, whatever carries our media now: shown like data-channel chat.
        this.onChatReceived(msg.from, msg.text);
        return;
      case 'error':
        // A message to this peer was dropped on the way (docs/protocol.md): its transport re-sends.
        if (isPeerUnreachable(msg)) this.transport.peerUnreachable(msg.targetId);
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

  // ---- participants ----

  private addRemote(remote: RemoteParticipant): void {
    // An unconfirmed participant that comes back under a new id (its resume was refused) is
    // this newcomer with the same name: the new place replaces the old one.
    for (const [id, r] of [...this.remotes]) if (r.unconfirmed && r.name === remote.name) this.removeRemote(id);
    this.remotes.set(remote.id, remote);
    this.roster.push({ event: 'added', peerId: remote.id });
  }

  private removeRemote(id: string): void {
    if (!this.remotes.has(id)) return;
    this.transport.removePeer(id);
    this.remotes.delete(id);
    this.roster.push({ event: 'removed', peerId: id });
  }

  /** Media can still flow (or come back by itself) on the connection that carries this remote's. */
  private mediaStillFlows(id: string): boolean {
    const state = this.transport.remote(id)?.connectionState ?? 'new';
    return state !== 'failed' && state !== 'closed';
  }

  // ---- what we announce ----

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
    if (this.opts.e2ee?.encrypting) state.e2ee = true;
    const key = JSON.stringify(state);
    if (key === this.lastSentMedia) return;
    if (this.signaling.send({ type: 'media-state', data: state })) this.lastSentMedia = key;
  }

  // ---- polling ----

  private async pollStats(): Promise<void> {
    if (await this.transport.measure()) this.changed();
  }

  private sendPinView(): void {
    if (this.phase !== 'joined' || this.transport.mode !== 'sfu') return;
    // The media-server transport carries it in its one sfu-view, with the tiles' sizes.
    this.transport.setPinned(this.pinnedId);
  }

  private async pollSpeaker(): Promise<void> {
    // On the media server the server says who speaks (active-speaker), so every client agrees.
    if (this.transport.mode === 'sfu') return;
    if (this.pollingSpeaker) return; // a slow getStats must not pile up polls
    this.pollingSpeaker = true;
    try {
      const remotes = [...this.remotes.values()];
      // A muted microphone sends silence anyway; don't let noise pretend otherwise.
      const measured = await this.transport.audioLevels(remotes.filter((r) => r.media.audio).map((r) => r.id));
      const levels = new Map<string, number>();
      for (const r of remotes) if (this.remotes.get(r.id) === r) levels.set(r.id, r.media.audio ? (measured.get(r.id) ?? 0) : 0);
      const before = this.speaker.speaker;
      if (this.speaker.update(levels, this.now()) !== before) this.changed();
    } finally {
      this.pollingSpeaker = false;
    }
  }

  // ---- lifecycle + snapshot ----

  private shutdown(phase: RoomPhase): void {
    for (const id of [...this.remotes.keys()]) this.removeRemote(id);
    this.transport.close();
    for (const u of this.unsubscribers) u();
    this.unsubscribers = [];
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (this.speakerTimer) clearInterval(this.speakerTimer);
    this.speakerTimer = null;
    this.renewal?.stop();
    this.stopScreenShare();
    this.signaling.close();
    this.opts.e2ee?.close();
    this.phase = phase;
    this.changed();
  }

  /** What stands between us and a remote's media in an end-to-end encrypted call (RemoteView.e2ee). */
  private e2eeProblem(r: RemoteParticipant): E2eeProblem | null {
    const e2ee = this.opts.e2ee;
    if (!e2ee) return null;
    if (!e2ee.encrypting) return r.media.e2ee ? 'no-key' : null;
    if (!r.media.e2ee) return 'not-encrypted';
    return e2ee.undecryptable(r.id) ? 'wrong-key' : null;
  }

  private buildSnapshot(): RoomSnapshot {
    const remotes = [...this.remotes.values()];
    // A page without the key drops the frames of those who say they encrypt (E2eeSession).
    this.opts.e2ee?.setEncryptedPeers(remotes.filter((r) => r.media.e2ee).map((r) => r.id));
    const e2ee = this.opts.e2ee ? { encrypting: this.opts.e2ee.encrypting, missingKey: !this.opts.e2ee.encrypting && remotes.some((r) => r.media.e2ee) } : undefined;
    return {
      phase: this.phase,
      connection: this.signaling.state,
      reconnectAttempt: this.signaling.attempts,
      maxReconnectAttempts: this.signaling.maxAttempts,
      localId: this.localId,
      localName: this.name,
      error: this.error,
      local: { hand: this.hand, recording: this.recording, screenTrack: this.screen?.track ?? null },
      activeSpeakerId: this.transport.mode === 'sfu' ? (this.serverSpeakerId !== null && this.remotes.has(this.serverSpeakerId) ? this.serverSpeakerId : null) : this.speaker.speaker,
      chat: this.chat.snapshot,
      remotes: remotes.map((r) => ({ ...remoteView(r, this.transport.remote(r.id), cameraForwarded(r.id, this.transport.mode === 'sfu' ? this.forwardedVideo : null)), e2ee: this.e2eeProblem(r) })),
      ...(e2ee && (e2ee.encrypting || e2ee.missingKey) ? { e2ee } : {}),
    };
  }

  private changed(): void {
    this.snap = this.buildSnapshot();
    for (const fn of [...this.listeners]) fn();
  }
}
