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
  constructor(kind: MediaKind, track: MediaStreamTrack | null, direction: RTCRtpTransceiverDirection) {
    this.sender = new FakeSender(track);
    this.receiver = { track: fakeTrack(kind, `remote-${kind}`) };
    this.direction = direction;
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
  ontrack: ((ev: { track: MediaStreamTrack; streams: readonly MediaStream[] }) => void) | null = null;
  onconnectionstatechange: ((ev: unknown) => void) | null = null;
  onicecandidateerror: ((ev: { url?: string; errorCode?: number; errorText?: string }) => void) | null = null;
  readonly fingerprint = `sha-256 FA:KE:${++fpCounter}`;
  readonly transceivers: FakeTransceiver[] = [];
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  readonly remoteDescriptionsSet: RTCSessionDescriptionInit[] = [];
  rollbacks = 0;
  restartIceCalls = 0;
  closed = false;
  private negotiationNeeded = false;
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
    const t = new FakeTransceiver(kind, track, init?.direction ?? 'sendrecv');
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
    const type = desc?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'offer') {
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') throw invalidState('offer in ' + this.signalingState);
      this.assignMids();
      this.localDescription = { type: 'offer', sdp: this.makeSdp('offer') };
      this.signalingState = 'have-local-offer';
      this.negotiationNeeded = false;
    } else {
      if (this.signalingState !== 'have-remote-offer') throw invalidState('answer in ' + this.signalingState);
      this.localDescription = { type: 'answer', sdp: this.makeSdp('answer') };
      this.signalingState = 'stable';
      this.afterStable();
    }
  }

  async setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
    await tick();
    this.assertOpen();
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
          this.ontrack?.({ track: t.receiver.track, streams: [] });
        }
      }
      this.assignMids();
      this.signalingState = 'have-remote-offer';
    } else if (desc.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw invalidState('remote answer in ' + this.signalingState);
      this.signalingState = 'stable';
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
  createDataChannel(label: string): DataChannelLike {
    const channel = new FakeDataChannel(label);
    this.dataChannels.push(channel);
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
    const kinds = this.transceivers.map((t) => `m=${t.receiver.track.kind}`).join('\r\n');
    return `v=0\r\no=- ${++this.offerSeq} ${type}\r\na=fingerprint:${this.fingerprint}\r\n${kinds}\r\n`;
  }
  private markNegotiationNeeded(): void {
    this.negotiationNeeded = true;
    if (this.signalingState === 'stable') this.fireNegotiationNeeded();
  }
  private afterStable(): void {
    if (this.negotiationNeeded) this.fireNegotiationNeeded();
  }
  private fireNegotiationNeeded(): void {
    // Browsers queue the event as a task, so several changes coalesce into one.
    if (this.nnScheduled) return;
    this.nnScheduled = true;
    setTimeout(() => {
      this.nnScheduled = false;
      if (this.closed || !this.negotiationNeeded || this.signalingState !== 'stable') return;
      this.onnegotiationneeded?.({});
    }, 0);
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
  constructor(readonly label: string) {}
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
