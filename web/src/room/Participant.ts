// A remote participant: identity, announced media state, received tracks, the PeerSession that
// carries them, and the connection quality measured on it.
import type { MediaState } from '../protocol/messages';
import type { ConnectIssue } from '../rtc/connectIssue';
import type { PeerSession } from '../rtc/PeerSession';
import type { MediaKind } from '../rtc/peerConnectionLike';
import type { SendQuality } from '../rtc/sendPolicy';
import { EMPTY_METRICS, type QualityMetrics, type StatsSample } from '../rtc/stats';
import { Track } from './Track';

export interface QualityPoint {
  t: number;
  kbps: number;
  rttMs: number;
  lossPercent: number;
}

export class RemoteParticipant {
  name: string;
  media: MediaState;
  session: PeerSession | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  /** Why the connection to this participant does not come up; null while fine or trying. */
  connectIssue: ConnectIssue | null = null;
  metrics: QualityMetrics = EMPTY_METRICS;
  history: QualityPoint[] = [];
  lastSample: StatsSample | null = null;
  /** Their shared screen (shown while `media.screen` says they share). */
  screenTrack: MediaStreamTrack | null = null;
  /** What our camera is allowed to send on this connection (null: not applied yet). */
  sendQuality: SendQuality | null = null;
  /**
   * Kept across a resume although room-joined did not list it: after a server restart the room is
   * rebuilt as people come back, and our direct connection to it still carries media. It goes
   * when that connection fails, or when it is heard from again (then it is confirmed).
   */
  unconfirmed = false;
  private tracks = new Map<MediaKind, Track>();

  constructor(
    readonly id: string,
    name: string,
    media: MediaState,
  ) {
    this.name = name;
    this.media = media;
  }

  setTrack(track: MediaStreamTrack): void {
    const kind = track.kind === 'audio' ? 'audio' : 'video';
    this.tracks.set(kind, new Track(kind, track));
  }

  track(kind: MediaKind): Track | null {
    return this.tracks.get(kind) ?? null;
  }

  /** A fresh RTCPeerConnection brings fresh tracks; drop the old ones with the old session. */
  resetMedia(): void {
    this.tracks.clear();
    this.screenTrack = null;
    this.sendQuality = null;
    this.connectionState = 'new';
    this.connectIssue = null;
    this.lastSample = null;
    this.metrics = EMPTY_METRICS;
  }
}
