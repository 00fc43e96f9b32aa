// Test doubles for the browser APIs the logic classes use: a scriptable WebSocket and an
// RTCPeerConnection that models the signaling state machine (offer/answer, implicit rollback,
// candidates needing a remote description, negotiationneeded only in "stable").
import type {
  CandidateLike,
  DataChannelLike,
  DescriptionLike,
  MediaKind,
  PeerConnectionLike,
  TransceiverLike,
} from '../rtc/peerConnectionLike';
import type { LocalMediaSource } from '../room/Room';
import type { SocketLike } from '../signaling/SignalingClient';

export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  sent: Array<Record<string, unknown>> = [];
  closedByClient = false;
  closeCode: number | undefined;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number): void {
    this.closedByClient = true;
    this.closeCode = code;
    this.readyState = 3;
  }
  // ---- driven by the test ----
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  sentOfType(type: string): Array<Record<string, unknown>> {
    return this.sent.filter((m) => m.type === type);
  }
}

export function fakeTrack(kind: MediaKind, id = `${kind}-${Math.random().toString(36).slice(2)}`): MediaStreamTrack {
  const listeners = new Map<string, Array<() => void>>();
  return {
    kind,
    id,
    enabled: true,
    readyState: 'live',
    stop(this: { readyState: string }) {
      this.readyState = 'ended';
    },
    addEventListener(type: string, fn: () => void) {
      listeners.set(type, [...(listeners.get(type) ?? []), fn]);
    },
    removeEventListener(type: string, fn: () => void) {
      listeners.set(type, (listeners.get(type) ?? []).filter((f) => f !== fn));
    },
    /** Test helper: what the browser does when the user ends a capture from its own UI. */
    fire(type: string) {
      for (const f of listeners.get(type) ?? []) f();
    },
  } as unknown as MediaStreamTrack;
}

/** Fires an event (e.g. 'ended') on a track made by fakeTrack. */
export function fireTrackEvent(track: MediaStreamTrack, type: string): void {
  (track as unknown as { fire(type: string): void }).fire(type);
}

class FakeSender {
  track: MediaStreamTrack | null;
  replaced: Array<MediaStreamTrack | null> = [];
  /** What setParameters accepted last (send limits). */
  encodings: RTCRtpEncodingParameters[] = [];
  /** Makes setParameters fail, as a browser does with parameters it cannot apply. */
  refuseParameters = false;
  constructor(track: MediaStreamTrack | null) {
    this.track = track;
  }
  async replaceTrack(t: MediaStreamTrack | null): Promise<void> {
    this.track = t;
    this.replaced.push(t);
  }
  getParameters(): RTCRtpSendParameters {
    return { encodings: this.encodings.map((e) => ({ ...e })) } as RTCRtpSendParameters;
  }
  async setParameters(params: RTCRtpSendParameters): Promise<void> {
    await tick();
    if (this.refuseParameters) throw invalidState('parameters refused');
    this.encodings = params.encodings.map((e) => ({ ...e }));
  }
}

class FakeTransceiver implements TransceiverLike {
  mid: string | null = null;
  direction: RTCRtpTransceiverDirection;
  readonly sender: FakeSender;
  readonly receiver: { track: MediaStreamTrack };
  /** The streams (msid) the sender's track is announced in. */
  readonly streams: readonly MediaStream[];
  constructor(kind: MediaKind, track: MediaStreamTrack | null, direction: RTCRtpTransceiverDirection, streams: readonly MediaStream[] = []) {
    this.sender = new FakeSender(track);
    this.receiver = { track: fakeTrack(kind, `remote-${kind}`) };
    this.direction = direction;
    this.streams = streams;
  }
}

let fpCounter = 0;

export class FakePeerConnection implements PeerConnectionLike {
  static instances: FakePeerConnection[] = [];
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  remoteDescription: DescriptionLike | null = null;
  localDescription: DescriptionLike | null = null;
  onnegotiationneeded: ((ev: unknown) => void) | null = null;
  onicecandidate: ((ev: { candidate: CandidateLike | null }) => void) | null = null;
  ontrack: ((ev: { track: MediaStreamTrack; streams: readonly MediaStream[]; transceiver?: TransceiverLike }) => void) | null = null;
  onconnectionstatechange: ((ev: unknown) => void) | null = null;
  onicecandidateerror: ((ev: { url?: string; errorCode?: number; errorText?: string }) => void) | null = null;
  readonly fingerprint = `sha-256 FA:KE:${++fpCounter}`;
  readonly transceivers: FakeTransceiver[] = [];
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  readonly remoteDescriptionsSet: RTCSessionDescriptionInit[] = [];
  rollbacks = 0;
  restartIceCalls = 0;
  closed = false;
  /**
   * The remote's DTLS role (`a=setup:` of the first answer it gave us). A later answer with the
   * other role is refused as browsers do ("Failed to set SSL role"): webrtcbin answers re-offers so.
   */
  remoteDtlsRole: string | null = null;
  /**
   * Chromium (measured, 156): after refusing an answer for its DTLS role the session is in error
   * and every later description, the rollback included, fails ("ERROR_CONTENT"); the connection
   * stays in have-local-offer while media keeps flowing. False: the rollback works, as the
   * specification has it.
   */
  refusedAnswerBreaksSession = true;
  private sessionError: string | null = null;
  /** Data (an m=application section) was negotiated: later data channels need no new offer. */
  dataNegotiated = false;
  private negotiationNeeded = false;
  /** The description in force before the current offer, which a rollback goes back to. */
  private stableLocalDescription: DescriptionLike | null = null;
  private nnScheduled = false;
  private offerSeq = 0;

  /** Every setConfiguration call, in order (`config` is the current one). */
  readonly configurations: RTCConfiguration[] = [];

  constructor(public config: RTCConfiguration) {
    FakePeerConnection.instances.push(this);
  }

  addTransceiver(trackOrKind: MediaStreamTrack | MediaKind, init?: RTCRtpTransceiverInit): TransceiverLike {
    const kind = typeof trackOrKind === 'string' ? trackOrKind : (trackOrKind.kind as MediaKind);
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const t = new FakeTransceiver(kind, track, init?.direction ?? 'sendrecv', init?.streams ?? []);
    this.transceivers.push(t);
    this.markNegotiationNeeded();
    return t;
  }

  getTransceivers(): TransceiverLike[] {
    return [...this.transceivers];
  }

  async setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void> {
    await tick();
    this.assertOpen();
    this.assertNoSessionError();
    const type = desc?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'rollback') {
      if (this.signalingState !== 'have-local-offer') throw invalidState('rollback in ' + this.signalingState);
      this.rollbacks += 1;
      this.localDescription = this.stableLocalDescription;
      this.signalingState = 'stable';
      // What the rolled-back offer was to negotiate still needs negotiating.
      this.markNegotiationNeeded();
      return;
    }
    if (type === 'offer') {
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') throw invalidState('offer in ' + this.signalingState);
      if (this.signalingState === 'stable') this.stableLocalDescription = this.localDescription;
      this.assignMids();
      this.localDescription = { type: 'offer', sdp: this.makeSdp('offer') };
      this.signalingState = 'have-local-offer';
      this.negotiationNeeded = false;
    } else {
      if (this.signalingState !== 'have-remote-offer') throw invalidState('answer in ' + this.signalingState);
      this.localDescription = { type: 'answer', sdp: this.makeSdp('answer') };
      this.signalingState = 'stable';
      if (hasData(this.remoteDescription?.sdp ?? '')) this.dataNegotiated = true;
      this.afterStable();
    }
  }

  async setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
    await tick();
    this.assertOpen();
    this.assertNoSessionError();
    if (desc.type === 'offer') {
      if (this.signalingState === 'have-local-offer') {
        this.rollbacks += 1; // implicit rollback, as browsers do for the polite peer
        this.signalingState = 'stable';
      }
      if (this.signalingState !== 'stable') throw invalidState('remote offer in ' + this.signalingState);
      for (const kind of kindsIn(desc.sdp ?? '')) {
        if (!this.transceivers.some((t) => t.receiver.track.kind === kind)) {
          const t = new FakeTransceiver(kind, null, 'recvonly');
          this.transceivers.push(t);
          this.ontrack?.({ track: t.receiver.track, streams: [], transceiver: t });
        }
      }
      this.assignMids();
      this.signalingState = 'have-remote-offer';
    } else if (desc.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw invalidState('remote answer in ' + this.signalingState);
      const role = dtlsRole(desc.sdp ?? '');
      if (this.remoteDtlsRole !== null && role !== null && role !== this.remoteDtlsRole) {
        const e = new Error(`Failed to set remote answer sdp: Failed to set SSL role for the transport (${role} after ${this.remoteDtlsRole})`);
        e.name = 'InvalidAccessError';
        if (this.refusedAnswerBreaksSession) this.sessionError = e.message;
        throw e;
      }
      if (role !== null) this.remoteDtlsRole = role;
      this.signalingState = 'stable';
      // Accepted or refused, the data section was negotiated: no new offer for it.
      if (hasData(this.localDescription?.sdp ?? '')) this.dataNegotiated = true;
    }
    this.remoteDescription = { type: desc.type as RTCSdpType, sdp: desc.sdp ?? '' };
    this.remoteDescriptionsSet.push(desc);
    if (desc.type === 'answer') this.afterStable();
  }

  async addIceCandidate(c: RTCIceCandidateInit): Promise<void> {
    await tick();
    if (!this.remoteDescription) throw invalidState('candidate without remote description');
    this.addedCandidates.push(c);
  }

  restartIce(): void {
    this.restartIceCalls += 1;
    this.markNegotiationNeeded();
  }

  getConfiguration(): RTCConfiguration {
    return { ...this.config };
  }

  setConfiguration(config: RTCConfiguration): void {
    this.assertOpen();
    this.config = config;
    this.configurations.push(config);
  }

  /** What getStats reports (each entry needs an `id` and a `type`); set by the test. */
  stats: Array<Record<string, unknown>> = [];
  async getStats(): Promise<RTCStatsReport> {
    return new Map(this.stats.map((s) => [s.id, s])) as unknown as RTCStatsReport;
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
  }

  readonly dataChannels: FakeDataChannel[] = [];
  createDataChannel(label: string, init?: RTCDataChannelInit): DataChannelLike {
    const channel = new FakeDataChannel(label, init ?? {});
    this.dataChannels.push(channel);
    // As in browsers: the first channel needs an m=application section, unless one was negotiated.
    if (this.dataChannels.length === 1 && !this.dataNegotiated && this.signalingState === 'stable') this.fireNegotiationNeeded();
    return channel;
  }

  // ---- driven by the test ----
  setConnectionState(s: RTCPeerConnectionState): void {
    this.connectionState = s;
    this.onconnectionstatechange?.({});
  }
  emitCandidate(candidate: string): void {
    this.onicecandidate?.({ candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
  }

  /** Browsers give a transceiver its mid when an offer first includes it: its m-line's index here. */
  private assignMids(): void {
    this.transceivers.forEach((t, i) => (t.mid ??= String(i)));
  }
  private makeSdp(type: string): string {
    const sections = this.transceivers.map((t) => `m=${t.receiver.track.kind}`);
    // An offer carries data once we have a channel; an answer accepts the offer's data section.
    const data = type === 'offer' ? this.dataChannels.length > 0 || this.dataNegotiated : hasData(this.remoteDescription?.sdp ?? '');
    if (data) sections.push('m=application');
    const setup = type === 'offer' ? 'actpass' : 'active';
    return `v=0\r\no=- ${++this.offerSeq} ${type}\r\na=fingerprint:${this.fingerprint}\r\na=setup:${setup}\r\n${sections.join('\r\n')}\r\n`;
  }
  private markNegotiationNeeded(): void {
    this.negotiationNeeded = true;
    if (this.signalingState === 'stable') this.fireNegotiationNeeded();
  }
  /** Changes wait for an offer, or a data channel for its first data section. */
  private needsNegotiation(): boolean {
    return this.negotiationNeeded || (this.dataChannels.length > 0 && !this.dataNegotiated);
  }
  private afterStable(): void {
    if (this.needsNegotiation()) this.fireNegotiationNeeded();
  }
  private fireNegotiationNeeded(): void {
    // Browsers queue the event as a task, so several changes coalesce into one.
    if (this.nnScheduled) return;
    this.nnScheduled = true;
    setTimeout(() => {
      this.nnScheduled = false;
      if (this.closed || !this.needsNegotiation() || this.signalingState !== 'stable') return;
      this.onnegotiationneeded?.({});
    }, 0);
  }
  private assertNoSessionError(): void {
    if (this.sessionError === null) return;
    const e = new Error(`Session error code: ERROR_CONTENT. ${this.sessionError}`);
    e.name = 'OperationError';
    throw e;
  }
  private assertOpen(): void {
    if (this.closed) throw invalidState('closed');
  }
}

/** A data channel that opens when the test says so and records what is sent. */
export class FakeDataChannel implements DataChannelLike {
  readyState: RTCDataChannelState = 'connecting';
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  readonly sent: string[] = [];
  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit = {},
  ) {}
  send(data: string): void {
    if (this.readyState !== 'open') throw invalidState('data channel not open');
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
  // ---- driven by the test ----
  open(): void {
    this.readyState = 'open';
    this.onopen?.({});
  }
  receive(data: string): void {
    this.onmessage?.({ data });
  }
}

function kindsIn(sdp: string): MediaKind[] {
  const out: MediaKind[] = [];
  for (const m of sdp.matchAll(/^m=(audio|video)/gm)) out.push(m[1] as MediaKind);
  return out;
}

/** The SDP has a data (SCTP) section. */
export function hasData(sdp: string): boolean {
  return /^m=application/m.test(sdp);
}

function dtlsRole(sdp: string): string | null {
  return /^a=setup:(\w+)/m.exec(sdp)?.[1] ?? null;
}

function invalidState(msg: string): Error {
  const e = new Error(msg);
  e.name = 'InvalidStateError';
  return e;
}

function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/** Lets queued timers/microtasks run (real timers) until the system is quiet. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

/** Local camera and microphone as Room sees them (LocalMedia in the app). */
export class FakeMedia implements LocalMediaSource {
  stream = null;
  snapshot = { audioTrack: fakeTrack('audio'), videoTrack: fakeTrack('video') as MediaStreamTrack | null, audioEnabled: true, videoEnabled: true };
  private subs = new Set<() => void>();
  private trackSubs = new Set<(k: MediaKind, t: MediaStreamTrack | null) => void>();
  subscribe(fn: () => void) {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
  onTrackChanged(fn: (k: MediaKind, t: MediaStreamTrack | null) => void) {
    this.trackSubs.add(fn);
    return () => this.trackSubs.delete(fn);
  }
  setAudio(on: boolean) {
    this.snapshot = { ...this.snapshot, audioEnabled: on };
    this.subs.forEach((f) => f());
  }
  switchVideo(t: MediaStreamTrack) {
    this.snapshot = { ...this.snapshot, videoTrack: t };
    this.trackSubs.forEach((f) => f('video', t));
  }
}
