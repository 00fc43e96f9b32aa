// Wire protocol v1 (docs: DESIGN.md "Wire protocol v1"). Types only; runtime checks live in guards.ts.

export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** Extra flags (the server relays up to 8 booleans): a raised hand, recording in progress. */
  hand?: boolean;
  recording?: boolean;
  /** This participant encrypts its media end to end (its link has a room key, docs/protocol.md). */
  e2ee?: boolean;
}

export interface PeerInfo {
  peerId: string;
  name: string;
  media: MediaState;
}

export interface SessionDescriptionData {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface IceCandidateData {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

export type ErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'unknown-type'
  | 'invalid-room-id'
  | 'invalid-name'
  | 'invalid-sdp'
  | 'invalid-candidate'
  | 'not-in-room'
  | 'peer-not-found'
  | 'peer-unreachable'
  | 'room-full'
  | 'forbidden-room'
  | 'rate-limited'
  | 'message-too-large'
  | 'media-unavailable';

/** How the room's media travels: browser to browser, or through the server's media server. */
export type RoomMode = 'mesh' | 'sfu';

/** What a forwarded track carries. */
export type TrackSource = 'microphone' | 'camera' | 'screen';

/** A remote track the media server can forward to us (`sfu-tracks`). */
export interface ForwardableTrack {
  peerId: string;
  source: TrackSource;
}

/** Which of our recvonly m-lines carries which remote track (`sfu-answer`). */
export interface ForwardedTrack extends ForwardableTrack {
  mid: string;
}

// ---- server -> client ----

export interface RoomJoinedMessage {
  type: 'room-joined';
  roomId?: string;
  peerId: string;
  /** `name`: the name the others see for us (a token's, or the server's "Guest N" when we sent none). */
  data: { peers: PeerInfo[]; resumeToken?: string; iceServers?: RTCIceServer[]; iceTransportPolicy?: RTCIceTransportPolicy; name?: string };
  /** The room's mode; a server without a media server says nothing: mesh. */
  mode: RoomMode;
  timestamp?: number;
}
export interface PeerJoinedMessage {
  type: 'peer-joined';
  peerId: string;
  /** `media` is an extension some servers send; absent means "assume on until media-state". */
  data: { name: string; media?: MediaState };
  timestamp?: number;
}
export interface PeerLeftMessage {
  type: 'peer-left';
  peerId: string;
  timestamp?: number;
}
export interface RelayedDescriptionMessage {
  type: 'offer' | 'answer';
  peerId: string;
  data: SessionDescriptionData;
  timestamp?: number;
}
export interface RelayedCandidateMessage {
  type: 'ice-candidate';
  peerId: string;
  data: IceCandidateData;
  timestamp?: number;
}
export interface RelayedMediaStateMessage {
  type: 'media-state';
  peerId: string;
  data: MediaState;
  timestamp?: number;
}
export interface PongMessage {
  type: 'pong';
  timestamp?: number;
}
export interface ErrorMessage {
  type: 'error';
  code?: string;
  error: string;
  /** `peer-unreachable`: the peer the refused message was for. */
  targetId?: string;
  timestamp?: number;
}

/** The room's mode changed (to every member). */
export interface RoomModeMessage {
  type: 'room-mode';
  mode: RoomMode;
  timestamp?: number;
}
/** The media server's answer to our last `sfu-offer`, and which recvonly mids carry whose track now. */
export interface SfuAnswerMessage {
  type: 'sfu-answer';
  sdp: string;
  tracks: ForwardedTrack[];
  timestamp?: number;
}
/** Every remote track the media server can forward to us now: re-offer with enough recvonly m-lines. */
export interface SfuTracksMessage {
  type: 'sfu-tracks';
  tracks: ForwardableTrack[];
  timestamp?: number;
}
/** The media server closed our connection on its own (consent lost, DTLS failed, timeout). */
export interface SfuClosedMessage {
  type: 'sfu-closed';
  reason: string;
  timestamp?: number;
}
/** Which of our simulcast encodings (RIDs) someone watches: the others are paused at our sender. */
export interface SfuEncodingsMessage {
  type: 'sfu-encodings';
  source: 'camera' | 'screen';
  active: string[];
  timestamp?: number;
}
/** The room's active speaker by the media server's audio levels (rooms on the media server). */
export interface ActiveSpeakerMessage {
  type: 'active-speaker';
  peerId: string;
  /** Smoothed, linear 0..1 (as RTCRtpSynchronizationSource.audioLevel). */
  level: number;
  timestamp?: number;
}
/** The videos the media server forwards to us now (last-N): the other tiles show an avatar. */
export interface SfuForwardingMessage {
  type: 'sfu-forwarding';
  video: ForwardableTrack[];
  timestamp?: number;
}
/** How we show one remote video now (`sfu-view`): pixels (width 0 = not shown, not forwarded); `pinned` asks the media server to forward it whatever last-N says. */
export interface SfuViewEntry {
  peerId: string;
  source: 'camera' | 'screen';
  width: number;
  height: number;
  pinned?: boolean;
}
/** Chat over the WebSocket (rooms on the media server), from another member. */
export interface ChatMessage {
  type: 'chat';
  from: string;
  text: string;
  timestamp?: number;
}

export type ServerMessage =
  | RoomJoinedMessage
  | RoomModeMessage
  | SfuAnswerMessage
  | SfuTracksMessage
  | SfuClosedMessage
  | SfuEncodingsMessage
  | ActiveSpeakerMessage
  | SfuForwardingMessage
  | ChatMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | RelayedDescriptionMessage
  | RelayedCandidateMessage
  | RelayedMediaStateMessage
  | PongMessage
  | ErrorMessage;

// ---- HTTP ----

/** `GET /ice-servers` (200): the same settings room-joined carries, with fresh TURN credentials. */
export interface IceServersResponse {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
}

// ---- client -> server ----

/**
 * Room messages the server counts for acknowledged delivery (docs/protocol.md): everything it
 * sends after room-joined except its replies (pong, error, and sfu-answer, the reply to
 * sfu-offer). The client reports how many of these it received since its last room-joined, so a
 * resume replays exactly what it missed.
 */
export const COUNTED_TYPES: ReadonlySet<ServerMessage['type']> = new Set([
  'peer-joined',
  'peer-left',
  'offer',
  'answer',
  'ice-candidate',
  'media-state',
  'room-mode',
  'sfu-tracks',
  'sfu-closed',
  'sfu-encodings',
  'active-speaker',
  'sfu-forwarding',
  'chat',
]);

export type ClientMessage =
  | { type: 'join'; roomId: string; data: { name: string; resumeToken?: string; received: number; sfu: true } }
  | { type: 'leave' }
  | { type: 'offer' | 'answer'; targetId: string; data: SessionDescriptionData }
  | { type: 'ice-candidate'; targetId: string; data: IceCandidateData }
  | { type: 'media-state'; data: MediaState }
  | { type: 'ping'; data: { received: number } }
  | { type: 'sfu-offer'; sdp: string }
  | { type: 'sfu-leave' }
  | { type: 'chat'; text: string }
  /** This mesh link could not connect directly and there is no TURN relay (docs/protocol.md). */
  | { type: 'mesh-unreachable'; targetId: string }
  | { type: 'sfu-view'; views: SfuViewEntry[] };
