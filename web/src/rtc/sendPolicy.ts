// How much video each sender may send. In a mesh every participant uploads one copy of its camera
// per other participant, so the per-connection budget shrinks with the number of peers; measured
// loss or a long round trip on a connection lowers it further. Applied through
// RTCRtpSender.setParameters, never by renegotiating.

export interface SendConditions {
  /** How many peers we upload to (everyone else in the room). */
  peers: number;
  lossPercent: number | null;
  rttMs: number | null;
}

export interface SendQuality {
  maxBitrateKbps: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
  /** Why, for the quality panel. */
  reason: 'room size' | 'packet loss' | 'high latency';
}

// Per connection, by how many connections share the uplink: 1-2 peers get HD, a full 8-person
// mesh (7 uploads) stays under ~2 Mbit/s in total.
const BY_PEERS: ReadonlyArray<{ upTo: number; kbps: number; scale: number; fps: number }> = [
  { upTo: 1, kbps: 1500, scale: 1, fps: 30 },
  { upTo: 2, kbps: 900, scale: 1, fps: 30 },
  { upTo: 3, kbps: 600, scale: 1.5, fps: 24 },
  { upTo: 5, kbps: 400, scale: 2, fps: 20 },
  { upTo: Infinity, kbps: 250, scale: 2, fps: 15 },
];

export function chooseSendQuality(c: SendConditions): SendQuality {
  const base = BY_PEERS.find((b) => Math.max(1, c.peers) <= b.upTo)!;
  let quality: SendQuality = { maxBitrateKbps: base.kbps, scaleResolutionDownBy: base.scale, maxFramerate: base.fps, reason: 'room size' };
  const loss = c.lossPercent ?? 0;
  if (loss >= 10) {
    quality = { maxBitrateKbps: Math.round(base.kbps * 0.4), scaleResolutionDownBy: base.scale * 2, maxFramerate: 15, reason: 'packet loss' };
  } else if (loss >= 4) {
    quality = { maxBitrateKbps: Math.round(base.kbps * 0.6), scaleResolutionDownBy: base.scale * 1.5, maxFramerate: Math.min(base.fps, 20), reason: 'packet loss' };
  } else if ((c.rttMs ?? 0) >= 400) {
    quality = { ...quality, maxBitrateKbps: Math.round(base.kbps * 0.7), reason: 'high latency' };
  }
  return quality;
}

export function sameQuality(a: SendQuality | null, b: SendQuality): boolean {
  return a !== null && a.maxBitrateKbps === b.maxBitrateKbps && a.scaleResolutionDownBy === b.scaleResolutionDownBy && a.maxFramerate === b.maxFramerate;
}

/** The slice of RTCRtpSender that send limits need. */
export interface LimitableSender {
  getParameters?(): RTCRtpSendParameters;
  setParameters?(params: RTCRtpSendParameters): Promise<void>;
}

/**
 * Caps what this sender sends (bitrate, resolution, frame rate) through setParameters, never by
 * renegotiating. False when the sender cannot take limits or the browser refused them.
 */
export async function applySendQuality(sender: LimitableSender | undefined, q: SendQuality): Promise<boolean> {
  if (!sender?.getParameters || !sender.setParameters) return false;
  const params = sender.getParameters();
  if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
  for (const e of params.encodings) {
    e.maxBitrate = q.maxBitrateKbps * 1000;
    e.scaleResolutionDownBy = q.scaleResolutionDownBy;
    e.maxFramerate = q.maxFramerate;
  }
  await sender.setParameters(params);
  return true;
}
