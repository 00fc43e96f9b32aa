// Connection quality from RTCPeerConnection.getStats(): pure functions over plain samples, so the
// arithmetic and the Good/Fair/Poor thresholds are unit-tested without a browser.

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

/** The counters we need out of one getStats() report (cumulative values, as the browser gives them). */
export interface StatsSample {
  timestampMs: number;
  bytesReceived: number; // audio + video inbound
  bytesSent: number;
  packetsReceived: number; // audio + video
  packetsLost: number; // audio + video
  audioPacketsReceived: number;
  framesDecoded: number;
  frameWidth: number | null;
  frameHeight: number | null;
  framesPerSecond: number | null;
  /** Seconds, from the selected candidate pair (or remote-inbound-rtp as a fallback). */
  roundTripTime: number | null;
}

export interface QualityMetrics {
  bitrateKbps: number | null; // inbound
  rttMs: number | null;
  lossPercent: number | null; // over the last interval
  fps: number | null;
  width: number | null;
  height: number | null;
  level: QualityLevel;
}

/** One point of a connection's quality sparkline. */
export interface QualityPoint {
  t: number;
  kbps: number;
  rttMs: number;
  lossPercent: number;
}

export const EMPTY_METRICS: QualityMetrics = {
  bitrateKbps: null,
  rttMs: null,
  lossPercent: null,
  fps: null,
  width: null,
  height: null,
  level: 'unknown',
};

export type StatLike = Record<string, unknown> & { type: string; id: string };

/** What getStats() gives: anything iterable with `.forEach`, like RTCStatsReport or a Map. */
export interface StatsReportLike {
  forEach(cb: (value: unknown) => void): void;
}

function statsById(report: StatsReportLike): Map<string, StatLike> {
  const byId = new Map<string, StatLike>();
  report.forEach((v) => {
    if (typeof v === 'object' && v !== null && typeof (v as StatLike).id === 'string') {
      byId.set((v as StatLike).id, v as StatLike);
    }
  });
  return byId;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Reads one report. `inbound` picks the inbound streams that count (all by default): on the media
 * server's one connection, those of one remote's tracks.
 */
export function extractSample(report: StatsReportLike, nowMs: number, inbound: (stat: StatLike) => boolean = () => true): StatsSample {
  const byId = statsById(report);
  const s: StatsSample = {
    timestampMs: nowMs,
    bytesReceived: 0,
    bytesSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
    audioPacketsReceived: 0,
    framesDecoded: 0,
    frameWidth: null,
    frameHeight: null,
    framesPerSecond: null,
    roundTripTime: null,
  };
  let remoteInboundRtt: number | null = null;
  for (const st of byId.values()) {
    if (st.type === 'inbound-rtp') {
      if (!inbound(st)) continue;
      s.bytesReceived += num(st.bytesReceived) ?? 0;
      s.packetsReceived += num(st.packetsReceived) ?? 0;
      s.packetsLost += Math.max(0, num(st.packetsLost) ?? 0);
      if (st.kind === 'audio') s.audioPacketsReceived += num(st.packetsReceived) ?? 0;
      if (st.kind === 'video') {
        s.framesDecoded += num(st.framesDecoded) ?? 0;
        s.frameWidth = num(st.frameWidth) ?? s.frameWidth;
        s.frameHeight = num(st.frameHeight) ?? s.frameHeight;
        s.framesPerSecond = num(st.framesPerSecond) ?? s.framesPerSecond;
      }
    } else if (st.type === 'outbound-rtp') {
      s.bytesSent += num(st.bytesSent) ?? 0;
    } else if (st.type === 'transport' && typeof st.selectedCandidatePairId === 'string') {
      const pair = byId.get(st.selectedCandidatePairId);
      const rtt = pair ? num(pair.currentRoundTripTime) : null;
      if (rtt !== null) s.roundTripTime = rtt;
    } else if (st.type === 'remote-inbound-rtp') {
      remoteInboundRtt = num(st.roundTripTime) ?? remoteInboundRtt;
    }
  }
  if (s.roundTripTime === null) {
    // Some browsers leave transport.selectedCandidatePairId out; use the nominated pair.
    for (const st of byId.values()) {
      if (st.type === 'candidate-pair' && st.nominated === true && st.state === 'succeeded') {
        s.roundTripTime = num(st.currentRoundTripTime);
        if (s.roundTripTime !== null) break;
      }
    }
  }
  if (s.roundTripTime === null) s.roundTripTime = remoteInboundRtt;
  return s;
}

/** What the far end of our uploads reports (RTCP receiver reports): how our sending fares. */
export interface UplinkSample {
  timestampMs: number;
  packetsSent: number;
  /** Cumulative, as the receiver counts them. */
  packetsLost: number;
  /** Seconds. */
  roundTripTime: number | null;
}

export function extractUplink(report: StatsReportLike, nowMs: number): UplinkSample {
  const u: UplinkSample = { timestampMs: nowMs, packetsSent: 0, packetsLost: 0, roundTripTime: null };
  for (const st of statsById(report).values()) {
    if (st.type === 'outbound-rtp') u.packetsSent += num(st.packetsSent) ?? 0;
    else if (st.type === 'remote-inbound-rtp') {
      u.packetsLost += Math.max(0, num(st.packetsLost) ?? 0);
      u.roundTripTime = num(st.roundTripTime) ?? u.roundTripTime;
    }
  }
  return u;
}

/** Loss of our uploads over the interval between two samples, and the latest round trip. */
export function uplinkConditions(prev: UplinkSample | null, cur: UplinkSample): { lossPercent: number | null; rttMs: number | null } {
  let lossPercent: number | null = null;
  if (prev) {
    const sent = cur.packetsSent - prev.packetsSent;
    const lost = cur.packetsLost - prev.packetsLost;
    if (sent > 0 && lost >= 0) lossPercent = Math.min(100, (lost / sent) * 100);
    else if (sent >= 0 && lost >= 0) lossPercent = 0;
  }
  return { lossPercent, rttMs: cur.roundTripTime === null ? null : cur.roundTripTime * 1000 };
}

/** Metrics for the interval between two samples (prev may be missing for the first one). */
export function computeMetrics(prev: StatsSample | null, cur: StatsSample): QualityMetrics {
  let bitrateKbps: number | null = null;
  let lossPercent: number | null = null;
  let fps = cur.framesPerSecond;
  if (prev) {
    const dt = (cur.timestampMs - prev.timestampMs) / 1000;
    if (dt > 0) {
      const bytes = cur.bytesReceived - prev.bytesReceived;
      bitrateKbps = bytes >= 0 ? (bytes * 8) / 1000 / dt : null;
      if (fps === null) {
        const frames = cur.framesDecoded - prev.framesDecoded;
        fps = frames >= 0 ? frames / dt : null;
      }
    }
    const received = cur.packetsReceived - prev.packetsReceived;
    const lost = cur.packetsLost - prev.packetsLost;
    if (received >= 0 && lost >= 0 && received + lost > 0) lossPercent = (lost / (received + lost)) * 100;
    else if (received >= 0 && lost >= 0) lossPercent = 0;
  }
  const rttMs = cur.roundTripTime === null ? null : cur.roundTripTime * 1000;
  const metrics: QualityMetrics = {
    bitrateKbps,
    rttMs,
    lossPercent,
    fps,
    width: cur.frameWidth,
    height: cur.frameHeight,
    level: 'unknown',
  };
  metrics.level = classify(metrics);
  return metrics;
}

/**
 * Good / Fair / Poor. Loss and delay are what people hear and see; bitrate and fps depend on
 * whether the remote camera is on, so they do not drive the verdict.
 *   good: RTT < 150 ms and loss < 2 %
 *   poor: RTT >= 400 ms or loss >= 8 %
 *   fair: in between
 */
export function classify(m: Pick<QualityMetrics, 'rttMs' | 'lossPercent'>): QualityLevel {
  if (m.rttMs === null && m.lossPercent === null) return 'unknown';
  const rtt = m.rttMs ?? 0;
  const loss = m.lossPercent ?? 0;
  if (rtt >= 400 || loss >= 8) return 'poor';
  if (rtt < 150 && loss < 2) return 'good';
  return 'fair';
}

/** Keeps the last `windowMs` of values for the sparkline. */
export function pushHistory<T extends { t: number }>(history: readonly T[], point: T, windowMs = 60_000): T[] {
  const cutoff = point.t - windowMs;
  return [...history.filter((p) => p.t > cutoff), point];
}

export function formatBitrate(kbps: number | null): string {
  if (kbps === null) return '—';
  if (kbps >= 1000) return `${(kbps / 1000).toFixed(1)} Mbps`;
  return `${Math.round(kbps)} kbps`;
}
