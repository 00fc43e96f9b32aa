// What the mesh knows about one remote participant: the PeerSession to it, the tracks received
// on it, the quality measured on it and what our camera may send on it. Room reads it as RemoteMedia.
import type { ConnectIssue } from '../rtc/connectIssue';
import type { PeerSession } from '../rtc/PeerSession';
import type { SendQuality } from '../rtc/sendPolicy';
import { EMPTY_METRICS, type QualityMetrics, type QualityPoint, type StatsSample } from '../rtc/stats';
import type { RemoteMedia } from './MediaTransport';

export class MeshLink implements RemoteMedia {
  session: PeerSession | null = null;
  audioTrack: MediaStreamTrack | null = null;
  videoTrack: MediaStreamTrack | null = null;
  screenTrack: MediaStreamTrack | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  connectIssue: ConnectIssue | null = null;
  sendQuality: SendQuality | null = null;
  metrics: QualityMetrics = EMPTY_METRICS;
  /** Kept across new connections: the sparkline shows the whole call with this participant. */
  history: QualityPoint[] = [];
  /** The previous stats sample: metrics are computed over the interval since. */
  lastSample: StatsSample | null = null;
  /** Fresh connections made because an answer could not be taken, since one last connected. */
  rejectedAnswerRebuilds = 0;
  /** A fresh connection waits for its turn (the backoff after a rejected answer). */
  rebuildTimer: unknown = null;
  /** It told us (`moved`) that its tiles read the media server now, not this connection. */
  movedAway = false;

  constructor(readonly peerId: string) {}

  /** A camera or microphone track from them. */
  setTrack(track: MediaStreamTrack): void {
    if (track.kind === 'audio') this.audioTrack = track;
    else this.videoTrack = track;
  }

  /** A fresh RTCPeerConnection brings fresh tracks; drop the old ones with the old session. */
  resetMedia(): void {
    this.audioTrack = null;
    this.videoTrack = null;
    this.screenTrack = null;
    this.sendQuality = null;
    this.connectionState = 'new';
    this.connectIssue = null;
    this.movedAway = false;
    this.lastSample = null;
    this.metrics = EMPTY_METRICS;
  }
}
