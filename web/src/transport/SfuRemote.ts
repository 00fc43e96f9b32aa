// What the SFU transport knows about one remote participant: which of our receiving m-lines
// carry its microphone, camera and screen (sfu-answer), and the quality measured on them. The
// connection itself is shared by everyone: its state is read from the transport's one connection.
import type { TrackSource } from '../protocol/messages';
import type { ConnectIssue } from '../rtc/connectIssue';
import type { SendQuality } from '../rtc/sendPolicy';
import { EMPTY_METRICS, type QualityMetrics, type QualityPoint, type StatsSample } from '../rtc/stats';
import type { RemoteMedia } from './MediaTransport';

/** The one connection to the media server, as every remote's tile shows it. */
export interface SfuConnectionView {
  connectionState: RTCPeerConnectionState;
  connectIssue: ConnectIssue | null;
  /** What our camera may send: one upload, whoever receives it. */
  sendQuality: SendQuality | null;
}

/** A forwarded track on one of our m-lines. */
export interface ReceivedTrack {
  mid: string;
  track: MediaStreamTrack;
}

export class SfuRemote implements RemoteMedia {
  /** By source; a source not listed in the last sfu-answer is not forwarded to us now. */
  received = new Map<TrackSource, ReceivedTrack>();
  metrics: QualityMetrics = EMPTY_METRICS;
  /** Kept across new connections: the sparkline shows the whole call with this participant. */
  history: QualityPoint[] = [];
  /** The previous stats sample of its streams: metrics are computed over the interval since. */
  lastSample: StatsSample | null = null;

  constructor(
    readonly peerId: string,
    private readonly connection: SfuConnectionView,
  ) {}

  get audioTrack(): MediaStreamTrack | null {
    return this.received.get('microphone')?.track ?? null;
  }
  get videoTrack(): MediaStreamTrack | null {
    return this.received.get('camera')?.track ?? null;
  }
  get screenTrack(): MediaStreamTrack | null {
    return this.received.get('screen')?.track ?? null;
  }
  get connectionState(): RTCPeerConnectionState {
    return this.connection.connectionState;
  }
  get connectIssue(): ConnectIssue | null {
    return this.connection.connectIssue;
  }
  get sendQuality(): SendQuality | null {
    return this.connection.sendQuality;
  }

  /** Picks this remote's inbound streams (of these sources) out of the connection's stats. */
  streams(sources: readonly TrackSource[] = ['microphone', 'camera', 'screen']): (stat: Record<string, unknown>) => boolean {
    const mine = sources.map((s) => this.received.get(s)).filter((r): r is ReceivedTrack => r !== undefined);
    const mids = new Set(mine.map((r) => r.mid));
    const trackIds = new Set(mine.map((r) => r.track.id));
    // `mid` in inbound-rtp is recent; older browsers name the receiving track instead.
    return (stat) => (typeof stat.mid === 'string' ? mids.has(stat.mid) : typeof stat.trackIdentifier === 'string' && trackIds.has(stat.trackIdentifier));
  }

  /** New forwarding (sfu-answer). True when anything the tile shows changed. */
  setReceived(received: Map<TrackSource, ReceivedTrack>): boolean {
    const same = received.size === this.received.size && [...received].every(([source, r]) => this.received.get(source)?.mid === r.mid && this.received.get(source)?.track === r.track);
    if (same) return false;
    this.received = received;
    this.lastSample = null; // other streams now: their counters start elsewhere
    return true;
  }
}
