// The slice of RTCPeerConnection that PeerSession uses. Declared here (instead of using the DOM type)
// so unit tests can wire two sessions together through small fakes.

export type MediaKind = 'audio' | 'video';

export interface SenderLike {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
  setStreams?(...streams: MediaStream[]): void;
  getParameters?(): RTCRtpSendParameters;
  setParameters?(params: RTCRtpSendParameters): Promise<void>;
}

export interface ReceiverLike {
  readonly track: MediaStreamTrack;
  /** Audio levels of what was received lately (absent in tests' fakes). */
  getSynchronizationSources?(): Array<{ audioLevel?: number }>;
}

export interface TransceiverLike {
  readonly mid: string | null;
  direction: RTCRtpTransceiverDirection;
  readonly sender: SenderLike;
  readonly receiver: ReceiverLike;
}

/** The slice of RTCDataChannel the chat uses. */
export interface DataChannelLike {
  readonly readyState: RTCDataChannelState;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onopen: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface CandidateLike {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

export interface DescriptionLike {
  readonly type: RTCSdpType;
  readonly sdp: string;
}

export interface PeerConnectionLike {
  readonly signalingState: RTCSignalingState;
  readonly connectionState: RTCPeerConnectionState;
  readonly remoteDescription: DescriptionLike | null;
  readonly localDescription: DescriptionLike | null;
  onnegotiationneeded: ((ev: unknown) => void) | null;
  onicecandidate: ((ev: { candidate: CandidateLike | null }) => void) | null;
  ontrack: ((ev: { track: MediaStreamTrack; streams: readonly MediaStream[]; transceiver?: TransceiverLike }) => void) | null;
  onconnectionstatechange: ((ev: unknown) => void) | null;
  /** A STUN/TURN server failed us (e.g. 401 from TURN with bad credentials, 701 unreachable). */
  onicecandidateerror?: ((ev: { url?: string; errorCode?: number; errorText?: string }) => void) | null;
  setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  addTransceiver(trackOrKind: MediaStreamTrack | MediaKind, init?: RTCRtpTransceiverInit): TransceiverLike;
  getTransceivers(): TransceiverLike[];
  createDataChannel?(label: string, init: RTCDataChannelInit): DataChannelLike;
  restartIce(): void;
  getConfiguration(): RTCConfiguration;
  setConfiguration(config: RTCConfiguration): void;
  getStats(): Promise<RTCStatsReport>;
  close(): void;
}

export type PeerConnectionFactory = (config: RTCConfiguration) => PeerConnectionLike;

export const browserPeerConnectionFactory: PeerConnectionFactory = (config) =>
  new RTCPeerConnection(config) as unknown as PeerConnectionLike;

/** The DTLS fingerprint identifies the remote RTCPeerConnection instance behind an SDP. */
export function sdpFingerprint(sdp: string): string | null {
  const m = /^a=fingerprint:(.+)$/m.exec(sdp);
  return m && m[1] ? m[1].trim() : null;
}
