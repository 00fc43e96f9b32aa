// The media server: one RTCPeerConnection from this browser to the server's SFU, which forwards
// our microphone, camera and screen to everyone else and theirs to us (docs/protocol.md, "Rooms
// on the media server"). We always offer (`sfu-offer`) and the server always answers
// (`sfu-answer`), so there is no glare: one offer at a time, and a change meanwhile queues one
// more. Our offer sends audio (microphone) and a first video (camera), a second video while we
// share a screen, and has a recvonly m-line for each remote track the server can forward
// (`sfu-tracks`); the answer says which m-line carries whose track. No ICE candidates travel:
// the server is ICE-lite and learns our address from our checks. Chat goes over the WebSocket.
import type { ForwardableTrack, ForwardedTrack, SfuViewEntry, TrackSource } from '../protocol/messages';
import { AudioLevelMeter, audioEnergyIn } from '../rtc/audioLevel';
import { type ConnectIssue, IceEvidenceLog } from '../rtc/connectIssue';
import type { LocalTracks, PeerSessionTimers } from '../rtc/PeerSession';
import type { MediaKind, PeerConnectionFactory, PeerConnectionLike, TransceiverLike } from '../rtc/peerConnectionLike';
import { applySendQuality, chooseSendQuality, sameQuality } from '../rtc/sendPolicy';
import { computeMetrics, extractSample, extractUplink, pushHistory, type UplinkSample, uplinkConditions } from '../rtc/stats';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from '../signaling/backoff';
import type { MediaMessage, MediaTransport, MediaTransportEvents, RemoteMedia, ScreenShare, SendSignal, TransportSettings } from './MediaTransport';
import type { Trace } from './MoveTrace';
import { type ReceivedTrack, type SfuConnectionView, SfuRemote } from './SfuRemote';
import type { FrameProtection } from '../e2ee/E2eeSession';
import { StuckVideoWatch } from './StuckVideo';
import { pinView, readTileViews } from './tileViews';

export interface SfuTransportOptions {
  createPeerConnection: PeerConnectionFactory;
  /** Our camera and microphone as they are now: every new connection starts with them. */
  localTracks: () => LocalTracks;
  send: SendSignal;
  events: MediaTransportEvents;
  /** How long the connection may take before the call says why it does not connect. */
  connectTimeoutMs?: number;
  now?: () => number;
  timers?: PeerSessionTimers;
  random?: () => number;
  /** Waits before a fresh connection after the server closed ours or it failed (never given up). */
  backoff?: BackoffPolicy;
  /** An offer not answered this long is taken as lost (default 10 s). */
  answerTimeoutMs?: number;
  /** An offer that could not be sent (the socket was down) is tried again this often (default 1 s). */
  resendMs?: number;
  /** How we show each remote video now (`sfu-view`); default: read from the page's tiles. */
  viewSource?: () => SfuViewEntry[] | null;
  /** How often the views are read; a change is sent once it held for one more read. */
  viewPollMs?: number;
  /** End-to-end encryption: the connection's frames go through it; it learns whose track each receiver carries. */
  e2ee?: FrameProtection;
  /** Records what the connection does, for the browser tests' timing of a move (MoveTrace). */
  trace?: Trace;
}

/** Simulcast RIDs, low to high, and how much each scales the capture down (the contract's). */
const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4 },
  { rid: 'h', scaleResolutionDownBy: 2 },
  { rid: 'f', scaleResolutionDownBy: 1 },
] as const;
/**
 * How many simulcast layers Chrome encodes for a capture of this many pixels: its legacy layer
 * limit (libwebrtc `kSimulcastFormats`: 3 from 960x540, 2 from 480x270, else 1). Encodings
 * above the limit are never allocated a bitrate: a third layer asked of a 640x360 camera stays
 * silent, and a viewer waiting for it never gets the full picture.
 */
function layersFor(pixels: number): number {
  if (pixels >= 960 * 540) return 3;
  if (pixels >= 480 * 270) return 2;
  return 1;
}

/**
 * The camera's simulcast encodings, low to high: as many as Chrome encodes at the capture size,
 * the top ones (the full picture always). An unknown size (no camera yet) gets all three.
 */
export function simulcastEncodings(capture: { width?: number; height?: number } | undefined): RTCRtpEncodingParameters[] {
  const known = capture?.width !== undefined && capture.height !== undefined;
  const count = known ? layersFor(capture.width! * capture.height!) : SIMULCAST_LAYERS.length;
  return SIMULCAST_LAYERS.slice(SIMULCAST_LAYERS.length - count).map((l) => ({ rid: l.rid, scaleResolutionDownBy: l.scaleResolutionDownBy }));
}

/** What we send on the connection: microphone and camera from the start, a screen once shared. */
interface Senders {
  audio: TransceiverLike;
  camera: TransceiverLike;
  screen: TransceiverLike | null;
}

const defaultTimers: PeerSessionTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

const KIND_OF: Record<TrackSource, MediaKind> = { microphone: 'audio', camera: 'video', screen: 'video' };

/** A fresh connection for stuck video at most this often. */
const STUCK_RECOVERY_INTERVAL_MS = 60_000;

export class SfuTransport implements MediaTransport {
  private readonly opts: SfuTransportOptions;
  private readonly now: () => number;
  private readonly timers: PeerSessionTimers;
  private readonly backoff: BackoffPolicy;
  /** Everyone else in the room: the media server forwards whose tracks it has. */
  private readonly remotes = new Map<string, SfuRemote>();
  private readonly connection: SfuConnectionView = { connectionState: 'new', connectIssue: null, sendQuality: null };
  private localId: string | null = null;
  private iceServers: RTCIceServer[] = [];
  private iceTransportPolicy: RTCIceTransportPolicy = 'all';
  private screen: ScreenShare | null = null;
  /** The last sfu-tracks: what the server can forward to us. */
  private available: ForwardableTrack[] = [];
  /** The last sfu-answer's tracks: what our m-lines carry. */
  private forwarded: ForwardedTrack[] = [];
  private pc: PeerConnectionLike | null = null;
  private senders: Senders | null = null;
  private evidence = new IceEvidenceLog();
  /**
   * The connection whose offer the server has not answered yet. At most one offer is ever out,
   * also across connections (a fresh one waits for the answer to its predecessor's), so an
   * answer always belongs to this one, whatever the server does with superseded offers.
   */
  private outstanding: PeerConnectionLike | null = null;
  /** The current connection needs an offer: it is new, or it changed since its last one. */
  private offerWanted = false;
  private answerTimer: unknown = null;
  /** The offer out could not be sent: it is tried again when this fires (or at start()). */
  private resendTimer: unknown = null;
  /** Answers are applied one after the other, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  /** Fresh connections in a row that did not come up: the backoff's attempt number. */
  private failures = 0;
  private retryTimer: unknown = null;
  private connectTimer: unknown = null;
  private uplink: UplinkSample | null = null;
  private uplinkLoss: { lossPercent: number | null; rttMs: number | null } = { lossPercent: null, rttMs: null };
  private readonly audioMeters = new Map<string, AudioLevelMeter>();
  /** Remote cameras whose packets arrive but never decode: a fresh connection mends them. */
  private readonly stuck = new StuckVideoWatch();
  private lastStuckRecovery = -Infinity;
  private closed = false;
  /** sfu-view: what was sent last (JSON), the last read, and the poll timer. */
  private viewsSent: string | null = null;
  private viewsRead: string | null = null;
  private viewTimer: unknown = null;
  /** Our pin, carried by sfu-view (setPinned). */
  private pinnedId: string | null = null;

  private readonly trace: Trace;

  constructor(opts: SfuTransportOptions) {
    this.opts = opts;
    this.trace = opts.trace ?? (() => undefined);
    this.now = opts.now ?? (() => Date.now());
    this.timers = opts.timers ?? defaultTimers;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
  }

  // ---- the room ----

  start(settings: TransportSettings): void {
    const newIdentity = this.localId !== null && this.localId !== settings.localId;
    this.localId = settings.localId;
    this.viewsSent = null; // the server may have lost them with the old socket
    this.pollViews();
    this.iceServers = settings.iceServers;
    this.iceTransportPolicy = settings.iceTransportPolicy;
    // A new id is a new member to the server: our old transport went with the old id.
    if (!this.pc || newIdentity) {
      this.answered(this.outstanding);
      this.failures = 0;
      this.connect();
      return;
    }
    // A rejoin, and our connection gets nothing from the media server (a restarted server knows
    // it no more): a fresh one now rather than after ICE gives up (tens of seconds).
    if (this.pc.connectionState === 'disconnected' || this.pc.connectionState === 'failed') {
      this.trace('rejoin-reconnect', this.pc.connectionState);
      this.answered(this.outstanding);
      this.failures = 0;
      this.connect();
      return;
    }
    // A rejoin: an offer out, or its answer, may have been lost with the old socket.
    const pc = this.pc;
    const offer = pc.localDescription;
    if (this.outstanding && this.outstanding !== pc) {
      this.answered(this.outstanding); // its connection is gone anyway
      void this.offerIfFree();
    } else if (this.outstanding === pc && offer?.type === 'offer' && pc.signalingState === 'have-local-offer') {
      this.sendOffer(pc, offer.sdp);
    }
  }

  addPeer(peerId: string, _joinedAfterUs = false): void {
    // The media server decides what reaches us (sfu-tracks); a member only needs its tile.
    if (this.remotes.has(peerId)) return;
    this.remotes.set(peerId, new SfuRemote(peerId, this.connection));
    // Receiving m-lines for its microphone and camera in our next offer, before sfu-tracks says
    // the server has them: the first offer of a late joiner (members are added right after
    // start()) then receives everyone in one round trip instead of two.
    if (this.pc) this.addReceivers(this.pc);
    this.mapForwardedTracks();
  }

  removePeer(peerId: string): void {
    this.remotes.delete(peerId);
    this.stuck.forget(peerId);
    this.audioMeters.delete(peerId);
  }

  reconnectPeer(_peerId: string): void {
    // Every remote comes over the one connection: the user's Retry makes it anew, now.
    this.failures = 0;
    this.connect();
  }

  peerUnreachable(_peerId: string): void {
    // Nothing of ours is relayed to other peers: the media server is always local to our instance.
  }

  handleMessage(msg: MediaMessage): void {
    if (this.closed) return;
    switch (msg.type) {
      case 'sfu-answer':
        void this.enqueue(() => this.applyAnswer(msg.sdp, msg.tracks));
        return;
      case 'sfu-tracks':
        this.trace('tracks', String(msg.tracks.length));
        this.available = msg.tracks;
        if (this.pc) this.addReceivers(this.pc);
        this.negotiate();
        return;
      case 'sfu-encodings':
        void this.applyEncodings(msg.source, msg.active);
        return;
      case 'sfu-closed':
        console.warn(`pulsemeet: the media server closed our connection (${msg.reason}); connecting again`);
        // An offer of ours still out is answered all the same (docs/protocol.md): the fresh
        // connection offers once that answer, for the connection now gone, has come.
        this.reconnectLater();
        return;
      case 'error':
        // The refusal answers our offer: the room left the media server, or our SDP. Room logged it.
        void this.enqueue(async () => {
          const pc = this.outstanding;
          if (!pc) return; // not about an offer of ours (a relayed mesh offer's)
          this.answered(pc);
          if (pc === this.pc) this.reconnectLater();
          else await this.offerIfFree();
        });
        return;
      default:
        return; // negotiation relayed between peers is the mesh's
    }
  }

  // ---- what we send ----

  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    const t = kind === 'audio' ? this.senders?.audio : this.senders?.camera;
    t?.sender.replaceTrack(track).catch((err: unknown) => console.warn('pulsemeet: replaceTrack failed', err));
  }

  setScreenShare(share: ScreenShare | null): void {
    this.screen = share;
    void this.applyScreen().catch((err: unknown) => console.warn('pulsemeet: screen share on the media server failed', err));
  }

  sendChat(text: string): ReadonlySet<string> {
    // The server hands it to every other member of the room, whatever carries their media.
    return this.opts.send({ type: 'chat', text }) ? new Set(this.remotes.keys()) : new Set();
  }

  // ---- what we receive and measure ----

  remote(peerId: string): RemoteMedia | null {
    return this.remotes.get(peerId) ?? null;
  }

  async measure(): Promise<boolean> {
    const pc = this.pc;
    if (!pc) return false;
    let report: RTCStatsReport;
    try {
      report = await pc.getStats();
    } catch {
      return false; // closed meanwhile
    }
    if (pc !== this.pc) return false;
    const now = this.now();
    for (const r of this.remotes.values()) {
      // Each remote by the receivers of its tracks; the round trip is the connection's.
      const sample = extractSample(report, now, r.streams());
      const m = computeMetrics(r.lastSample, sample);
      r.lastSample = sample;
      r.metrics = m;
      r.history = pushHistory(r.history, { t: sample.timestampMs, kbps: m.bitrateKbps ?? 0, rttMs: m.rttMs ?? 0, lossPercent: m.lossPercent ?? 0 });
    }
    this.watchStuckVideo(report, now);
    const uplink = extractUplink(report, now);
    this.uplinkLoss = uplinkConditions(this.uplink, uplink);
    this.uplink = uplink;
    const adapted = this.adaptSender();
    return this.remotes.size > 0 || adapted;
  }

  async framesDecoded(peerId: string): Promise<number> {
    const r = this.remotes.get(peerId);
    const pc = this.pc;
    if (!r || !pc || !r.received.has('camera')) return 0;
    try {
      return extractSample(await pc.getStats(), this.now(), r.streams(['camera'])).framesDecoded;
    } catch {
      return 0; // closed meanwhile
    }
  }

  async audioLevels(peerIds: readonly string[]): Promise<Map<string, number>> {
    const levels = new Map<string, number>(peerIds.map((id) => [id, 0]));
    const pc = this.pc;
    if (!pc) return levels;
    let report: RTCStatsReport | null = null;
    try {
      report = await pc.getStats();
    } catch {
      /* closed meanwhile: the latest packets' levels only */
    }
    for (const peerId of peerIds) {
      const r = this.remotes.get(peerId);
      const mic = r?.received.get('microphone');
      if (!r || !mic) continue;
      const receiver = pc.getTransceivers().find((t) => t.mid === mic.mid)?.receiver;
      const latest = receiver?.getSynchronizationSources?.()[0]?.audioLevel ?? 0;
      let meter = this.audioMeters.get(peerId);
      if (!meter) this.audioMeters.set(peerId, (meter = new AudioLevelMeter()));
      levels.set(peerId, meter.level(latest, report ? audioEnergyIn(report, r.streams(['microphone'])) : undefined));
    }
    return levels;
  }

  connections(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    if (this.pc) for (const peerId of this.remotes.keys()) out.set(peerId, this.pc);
    return out;
  }

  receivedMids(): Map<string, string[]> {
    return new Map([...this.remotes].map(([peerId, r]) => [peerId, [...r.received.values()].map((t) => t.mid)]));
  }

  /** The one connection to the media server (tests and the test hook). */
  get peerConnection(): PeerConnectionLike | null {
    return this.pc;
  }

  // ---- ICE ----

  renewIceServers(iceServers: RTCIceServer[]): void {
    this.iceServers = iceServers;
    const pc = this.pc;
    if (!pc) return;
    try {
      pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
    } catch (err) {
      console.warn('pulsemeet: setConfiguration failed', err);
      return;
    }
    // New relay allocations with the fresh credentials; the server answers the new ufrag.
    pc.restartIce();
    this.negotiate();
  }

  hasOpenConnections(): boolean {
    return this.pc !== null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearRetry();
    if (this.viewTimer !== null) this.timers.clearTimeout(this.viewTimer);
    this.viewTimer = null;
    this.answered(this.outstanding);
    this.dropConnection();
    this.opts.send({ type: 'sfu-leave' });
  }

  // ---- internals ----

  /** A fresh RTCPeerConnection to the media server and its first offer. */
  private connect(): void {
    this.clearRetry();
    this.dropConnection();
    if (!this.localId || this.closed) return;
    const config: RTCConfiguration = { iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy };
    const pc = this.opts.createPeerConnection(config);
    this.pc = pc;
    this.trace('connect');
    this.evidence = new IceEvidenceLog();
    // We offer when we decide to (one at a time), not when the browser suggests it.
    pc.onnegotiationneeded = null;
    pc.onicecandidate = (ev) => {
      // Not sent: the server learns our address from our checks. Kept for the diagnosis.
      if (this.pc === pc && ev.candidate) this.evidence.candidate(ev.candidate.candidate);
    };
    pc.onicecandidateerror = (ev) => {
      if (this.pc === pc) this.evidence.candidateError(ev);
    };
    pc.onconnectionstatechange = () => this.onConnectionState(pc);
    const local = this.opts.localTracks();
    const init = (stream: MediaStream | null): RTCRtpTransceiverInit => (stream ? { direction: 'sendonly', streams: [stream] } : { direction: 'sendonly' });
    // Always a microphone and a camera m-line, even without the device: one plugged in later
    // only needs replaceTrack. The order is the contract's: first audio, first video = camera.
    // The camera as simulcast: the media server forwards each viewer the layer its tile needs.
    const settings = local.video?.getSettings?.();
    this.senders = {
      audio: pc.addTransceiver(local.audio ?? 'audio', init(local.stream)),
      camera: pc.addTransceiver(local.video ?? 'video', { ...init(local.stream), sendEncodings: simulcastEncodings(settings) }),
      screen: this.screen ? pc.addTransceiver(this.screen.track, init(this.screen.stream)) : null,
    };
    this.addReceivers(pc);
    this.setConnectionState('new');
    this.connectTimer = this.timers.setTimeout(() => {
      this.connectTimer = null;
      if (this.pc === pc && pc.connectionState !== 'connected') this.setIssue(this.evidence.diagnose(this.iceServers));
    }, this.opts.connectTimeoutMs ?? 20_000);
    this.negotiate();
  }

  /** Closes the connection (if any) and forgets what it carried. */
  private dropConnection(): void {
    if (this.connectTimer !== null) this.timers.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    const pc = this.pc;
    this.pc = null;
    this.senders = null;
    this.offerWanted = false;
    this.forwarded = [];
    this.stuck.clear();
    this.uplink = null;
    this.connection.sendQuality = null;
    if (!pc) return;
    pc.onicecandidate = null;
    pc.onicecandidateerror = null;
    pc.onconnectionstatechange = null;
    this.opts.e2ee?.detach(pc);
    pc.close();
    this.mapForwardedTracks();
  }

  /**
   * After sfu-closed, a failure or a refusal: a fresh connection after a backoff. Never given up
   * (as the signaling socket): past maxAttempts the tiles say 'failed' (Retry tries at once) and
   * the attempts go on at most persistentMaxMs apart, so a media server that comes back is found.
   */
  private reconnectLater(): void {
    this.dropConnection();
    this.clearRetry();
    if (this.closed) return;
    const exhausted = this.failures >= this.backoff.maxAttempts;
    if (exhausted && this.failures === this.backoff.maxAttempts) console.warn('pulsemeet: the media server connection keeps failing; still trying');
    const delay = backoffDelay(this.failures, this.backoff, this.opts.random ?? Math.random);
    this.failures += 1;
    this.setConnectionState(exhausted ? 'failed' : 'connecting');
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** The connection changed: offer, now or once the offer out is answered. */
  private negotiate(): void {
    this.offerWanted = true;
    // After the rest of this task: what changes with it (members added right after start(), a
    // screen with its camera) goes in the same offer.
    queueMicrotask(() => void this.offerIfFree());
  }

  /** Offers what the current connection has now, unless an offer is out (its answer calls again). */
  private async offerIfFree(): Promise<void> {
    const pc = this.pc;
    if (!pc || this.closed || this.outstanding || !this.offerWanted) return;
    this.offerWanted = false;
    this.outstanding = pc;
    try {
      await pc.setLocalDescription();
    } catch (err) {
      this.answered(pc); // nothing went out
      if (this.pc !== pc) return;
      console.warn('pulsemeet: creating an offer for the media server failed', err);
      this.reconnectLater();
      return;
    }
    const offer = pc.localDescription;
    if (this.pc !== pc || offer?.type !== 'offer') {
      this.answered(pc); // replaced meanwhile: the new connection offers instead
      await this.offerIfFree();
      return;
    }
    this.sendOffer(pc, offer.sdp);
  }

  private sendOffer(pc: PeerConnectionLike, sdp: string): void {
    this.clearResend();
    if (!this.opts.send({ type: 'sfu-offer', sdp })) {
      // The socket is down: sent again after the rejoin (start()), or when the socket is back
      // without one, so the offer is never left out with nothing to end the wait.
      this.trace('offer-unsent');
      this.resendTimer = this.timers.setTimeout(() => {
        this.resendTimer = null;
        if (this.outstanding !== pc || this.closed) return;
        if (this.pc !== pc || pc.signalingState !== 'have-local-offer') {
          this.answered(pc); // replaced meanwhile: the current connection offers instead
          void this.offerIfFree();
          return;
        }
        this.sendOffer(pc, sdp);
      }, this.opts.resendMs ?? 1_000);
      return;
    }
    this.trace('offer');
    if (this.answerTimer !== null) this.timers.clearTimeout(this.answerTimer);
    this.answerTimer = this.timers.setTimeout(() => {
      this.answerTimer = null;
      if (this.outstanding !== pc) return;
      console.warn('pulsemeet: the media server did not answer our offer');
      this.answered(pc);
      if (this.pc === pc) this.reconnectLater();
      else void this.offerIfFree();
    }, this.opts.answerTimeoutMs ?? 10_000);
  }

  /** The offer of `pc` (if it is the one out) has its answer, a refusal, or is given up. */
  private answered(pc: PeerConnectionLike | null): void {
    if (!pc || this.outstanding !== pc) return;
    this.outstanding = null;
    if (this.answerTimer !== null) this.timers.clearTimeout(this.answerTimer);
    this.answerTimer = null;
    this.clearResend();
  }

  private clearResend(): void {
    if (this.resendTimer !== null) this.timers.clearTimeout(this.resendTimer);
    this.resendTimer = null;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      if (!this.closed) console.warn('pulsemeet: signaling with the media server failed', err);
    });
    return this.chain;
  }

  private async applyAnswer(sdp: string, tracks: ForwardedTrack[]): Promise<void> {
    const pc = this.outstanding;
    if (!pc) return; // a second answer to an offer re-sent after a rejoin
    this.answered(pc);
    if (pc !== this.pc || pc.signalingState !== 'have-local-offer') {
      await this.offerIfFree(); // it was for a connection we replaced: now the new one offers
      return;
    }
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (err) {
      if (this.pc !== pc) return;
      console.warn('pulsemeet: the media server answer could not be applied', err);
      this.reconnectLater();
      return;
    }
    if (this.pc !== pc) return;
    this.trace('answer', String(tracks.length));
    this.forwarded = tracks;
    this.mapForwardedTracks();
    this.viewsSent = null; // a new transport on the server starts without our views
    await this.offerIfFree();
  }

  /**
   * A remote camera stuck (packets, no decoded frame, see StuckVideo) for longer than Chrome's
   * own key-frame requests take: a fresh connection, whose streams the media server starts on
   * new SSRCs. At most once a minute, so that a sender whose frames cannot be decoded at all
   * does not keep everyone's media reconnecting.
   */
  private watchStuckVideo(report: RTCStatsReport, now: number): void {
    const stuck: string[] = [];
    for (const r of this.remotes.values()) {
      const camera = r.received.get('camera');
      // Frames our end-to-end encryption drops on purpose (no key, another key, not encrypted)
      // never decode, on any connection: a fresh one would only break everyone's media a moment.
      if (!camera || this.opts.e2ee?.withholds(r.peerId)) {
        this.stuck.forget(r.peerId);
        continue;
      }
      const sample = extractSample(report, now, r.streams(['camera']));
      if (this.stuck.observe(r.peerId, camera.mid, sample.packetsReceived, sample.framesDecoded, now)) stuck.push(r.peerId);
    }
    if (stuck.length === 0 || now - this.lastStuckRecovery < STUCK_RECOVERY_INTERVAL_MS) return;
    this.lastStuckRecovery = now;
    console.warn(`pulsemeet: video from ${stuck.join(', ')} arrives but does not decode; connecting to the media server afresh`);
    this.trace('stuck', stuck.join(','));
    this.failures = 0;
    this.connect();
  }

  /**
   * At least one recvonly m-line per track the server can forward, by kind, and one of each kind
   * per member (its microphone and camera, expected before sfu-tracks lists them); never fewer
   * than before. The server answers an m-line with no track to put on it as inactive.
   */
  private addReceivers(pc: PeerConnectionLike): void {
    const ours = new Set([this.senders?.audio, this.senders?.camera, this.senders?.screen]);
    for (const kind of ['audio', 'video'] as const) {
      const wanted = Math.max(this.available.filter((t) => KIND_OF[t.source] === kind).length, this.remotes.size);
      const have = pc.getTransceivers().filter((t) => !ours.has(t) && t.receiver.track.kind === kind).length;
      for (let i = have; i < wanted; i++) pc.addTransceiver(kind, { direction: 'recvonly' });
    }
    this.protectFrames(pc);
  }

  /** End-to-end encryption: transforms on every sender and receiver, before media flows. */
  private protectFrames(pc: PeerConnectionLike): void {
    if (this.localId) this.opts.e2ee?.attach(pc, this.localId, null);
  }

  /** Gives each remote the tracks the last answer says our m-lines carry for it. */
  private mapForwardedTracks(): void {
    const byPeer = new Map<string, Map<TrackSource, ReceivedTrack>>();
    const pc = this.pc;
    if (pc) {
      const ours = new Set([this.senders?.audio, this.senders?.camera, this.senders?.screen]);
      const byMid = new Map(pc.getTransceivers().filter((t) => t.mid !== null && !ours.has(t)).map((t) => [t.mid, t]));
      for (const t of byMid.values()) this.opts.e2ee?.mapReceiver(t.receiver, this.forwarded.find((f) => f.mid === t.mid)?.peerId ?? null);
      for (const f of this.forwarded) {
        const t = byMid.get(f.mid);
        if (!t || t.receiver.track.kind !== KIND_OF[f.source]) continue; // not an m-line of ours for that kind
        const received = byPeer.get(f.peerId) ?? new Map<TrackSource, ReceivedTrack>();
        received.set(f.source, { mid: f.mid, track: t.receiver.track });
        byPeer.set(f.peerId, received);
      }
    }
    for (const r of this.remotes.values()) {
      if (r.setReceived(byPeer.get(r.peerId) ?? new Map())) this.opts.events.remoteChanged(r.peerId);
    }
  }

  private async applyScreen(): Promise<void> {
    const pc = this.pc;
    const senders = this.senders;
    if (!pc || !senders) return; // the next connection starts with it
    const share = this.screen;
    const t = senders.screen;
    if (share && !t) {
      senders.screen = pc.addTransceiver(share.track, share.stream ? { direction: 'sendonly', streams: [share.stream] } : { direction: 'sendonly' });
      this.protectFrames(pc);
    } else if (share && t) {
      await t.sender.replaceTrack(share.track);
      t.direction = 'sendonly';
    } else if (t) {
      // Kept for the next share; not sending, so the server sees no second video any more.
      await t.sender.replaceTrack(null);
      t.direction = 'inactive';
    }
    if (this.pc === pc) this.negotiate();
  }

  /** sfu-encodings: the encodings of ours nobody watches are paused at the sender. */
  private async applyEncodings(source: 'camera' | 'screen', active: readonly string[]): Promise<void> {
    const sender = source === 'camera' ? this.senders?.camera?.sender : this.senders?.screen?.sender;
    if (!sender?.getParameters || !sender.setParameters) return;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) return;
    let changed = false;
    for (const e of params.encodings) {
      const on = e.rid ? active.includes(e.rid) : active.length > 0;
      if (e.active !== on) changed = true;
      e.active = on;
    }
    if (!changed) return;
    try {
      await sender.setParameters(params);
    } catch (err) {
      console.warn('pulsemeet: pausing unwatched encodings failed', err);
    }
  }

  /**
   * Our pin (null: none). On the media server last-N then forwards that camera whatever it would
   * choose. Sent at once, and again on every call: the Room calls again while the server does not
   * honour it yet (a pin sent before our first offer reached the media server is not known there).
   */
  setPinned(peerId: string | null): void {
    this.pinnedId = peerId;
    if (this.closed) return;
    const views = this.currentViews();
    if (views === null) return;
    const text = JSON.stringify(views);
    if (this.opts.send({ type: 'sfu-view', views })) this.viewsSent = text;
    this.viewsRead = text;
  }

  /**
   * The one `sfu-view` we send: the tiles' sizes (for the simulcast layers) with our pin marked
   * (for last-N). Without a page to read, every remote video at a nominal size when there is a pin
   * to carry, else null (nothing sent: the server forwards every video at its highest layer).
   */
  private currentViews(): SfuViewEntry[] | null {
    const read = (this.opts.viewSource ?? readTileViews)();
    if (read === null) {
      if (this.pinnedId === null) return null;
      const screens = new Set([...this.available, ...this.forwarded].filter((t) => t.source === 'screen').map((t) => t.peerId));
      return pinView([...this.remotes.keys()].map((id) => ({ id, screen: screens.has(id) })), this.pinnedId);
    }
    return read.map((v) => {
      const { pinned: _ignored, ...rest } = v;
      return v.source === 'camera' && v.peerId === this.pinnedId ? { ...rest, pinned: true } : rest;
    });
  }

  /** Reads how we show the remote videos and sends sfu-view when that changed and held. */
  private pollViews(): void {
    if (this.viewTimer !== null) this.timers.clearTimeout(this.viewTimer);
    this.viewTimer = null;
    if (this.closed) return;
    const views = this.currentViews();
    if (views === null) return; // nothing to read (no page) and no pin: the server forwards every video
    const text = JSON.stringify(views);
    if (text === this.viewsRead && text !== this.viewsSent && this.pc && this.opts.send({ type: 'sfu-view', views })) this.viewsSent = text;
    this.viewsRead = text;
    this.viewTimer = this.timers.setTimeout(() => this.pollViews(), this.opts.viewPollMs ?? 150);
  }

  private onConnectionState(pc: PeerConnectionLike): void {
    if (this.pc !== pc) return;
    const state = pc.connectionState;
    this.trace('state', state);
    if (state === 'connected') {
      this.failures = 0;
      if (this.connectTimer !== null) this.timers.clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.connection.connectIssue = null;
      this.adaptSender();
    }
    this.setConnectionState(state);
    if (state === 'failed') {
      this.setIssue(this.evidence.diagnose(this.iceServers));
      this.reconnectLater();
    }
  }

  private setConnectionState(state: RTCPeerConnectionState): void {
    // Past maxAttempts a new attempt does not hide the failure: 'failed' (and Retry) stay until
    // one connects.
    const stillFailing = this.failures > this.backoff.maxAttempts && (state === 'new' || state === 'connecting');
    this.connection.connectionState = stillFailing ? 'failed' : state;
    for (const peerId of this.remotes.keys()) this.opts.events.remoteChanged(peerId);
  }

  private setIssue(issue: ConnectIssue | null): void {
    this.connection.connectIssue = issue;
    for (const peerId of this.remotes.keys()) this.opts.events.remoteChanged(peerId);
  }

  /**
   * Bandwidth adaptation: we upload once, whoever receives it, so the camera's limits follow the
   * loss and round trip the media server reports for our uploads. True when they changed.
   */
  private adaptSender(): boolean {
    const camera = this.senders?.camera;
    if (!camera || this.pc?.connectionState !== 'connected') return false;
    // Simulcast: each viewer gets the layer it can take from the server; the browser's own
    // bandwidth estimate drops upper layers when the uplink is short.
    if ((camera.sender.getParameters?.().encodings?.length ?? 0) > 1) return false;
    const q = chooseSendQuality({ peers: 1, lossPercent: this.uplinkLoss.lossPercent, rttMs: this.uplinkLoss.rttMs });
    if (sameQuality(this.connection.sendQuality, q)) return false;
    this.connection.sendQuality = q;
    void applySendQuality(camera.sender, q)
      .catch((err: unknown) => {
        console.warn('pulsemeet: setParameters failed', err);
        return false;
      })
      .then((ok) => {
        if (!ok && this.connection.sendQuality === q) this.connection.sendQuality = null; // retried next round
      });
    return true;
  }
}
