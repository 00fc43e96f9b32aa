// What the UI renders of a call: an immutable snapshot Room rebuilds on every change.
import type { MediaState } from '../protocol/messages';
import type { ConnectIssue } from '../rtc/connectIssue';
import type { SendQuality } from '../rtc/sendPolicy';
import { EMPTY_METRICS, type QualityLevel, type QualityMetrics, type QualityPoint } from '../rtc/stats';
import type { ConnectionState } from '../signaling/SignalingClient';
import type { RemoteMedia } from '../transport/MediaTransport';
import type { ChatSnapshot } from './ChatLog';
import type { RemoteParticipant } from './Participant';

export type RoomPhase =
  | 'idle' // lobby, not connected
  | 'connecting' // first connection + join in flight
  | 'joined'
  | 'reconnecting' // socket lost; media keeps flowing on the existing connections
  | 'failed' // gave up reconnecting: the UI offers Retry
  | 'full' // the server refused: room-full
  | 'rejected' // invalid or forbidden room id, or the room token was refused
  | 'left';

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
  history: readonly QualityPoint[];
  /**
   * Why their media cannot be shown in an end-to-end encrypted call: `no-key` (they encrypt, our
   * link has no key), `wrong-key` (their frames do not open with our key), `not-encrypted` (we
   * encrypt, they do not: their link has no key, and plain frames are not shown). Null: fine.
   */
  e2ee?: E2eeProblem | null;
  /** The media server forwards their camera to us now (last-N); false: their tile shows the avatar. */
  videoForwarded: boolean;
}

export type E2eeProblem = 'no-key' | 'wrong-key' | 'not-encrypted';

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
  /** Our name as the others see it: the server's answer (a token's name, "Guest N"), else what we sent. */
  localName: string;
  remotes: RemoteView[];
  error: { code: string; message: string } | null;
  /** Our own flags as the others see them in media-state. */
  local: { hand: boolean; recording: boolean; screenTrack: MediaStreamTrack | null };
  /** The remote whose voice is loudest lately (null: nobody speaks). */
  activeSpeakerId: string | null;
  chat: ChatSnapshot;
  /**
   * End-to-end encryption: `encrypting` (our link has the key, what we send is encrypted),
   * `missingKey` (someone here encrypts and we have no key). Absent: not an encrypted call.
   */
  e2ee?: { encrypting: boolean; missingKey: boolean };
}

/** A remote nothing has arrived from yet. */
const NO_MEDIA: RemoteMedia = {
  audioTrack: null,
  videoTrack: null,
  screenTrack: null,
  connectionState: 'new',
  connectIssue: null,
  sendQuality: null,
  metrics: EMPTY_METRICS,
  history: [],
};

/** One tile's worth: who they are (Room) and what arrives from them (the transport). */
export function remoteView(p: RemoteParticipant, received: RemoteMedia | null, videoForwarded = true): RemoteView {
  const m = received ?? NO_MEDIA;
  return {
    id: p.id,
    name: p.name,
    media: p.media,
    audioTrack: m.audioTrack,
    videoTrack: m.videoTrack,
    screenTrack: p.media.screen ? m.screenTrack : null,
    sendQuality: m.sendQuality,
    connectionState: m.connectionState,
    connectIssue: m.connectIssue,
    metrics: m.metrics,
    level: m.metrics.level,
    history: m.history,
    videoForwarded,
  };
}
