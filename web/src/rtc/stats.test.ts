import { describe, expect, it } from 'vitest';
import { classify, computeMetrics, extractSample, extractUplink, formatBitrate, pushHistory, type StatsSample, uplinkConditions } from './stats';

function report(entries: Array<Record<string, unknown>>) {
  return new Map(entries.map((e) => [e.id as string, e]));
}

const base = (over: Partial<StatsSample>): StatsSample => ({
  timestampMs: 0,
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
  ...over,
});

describe('extractSample', () => {
  it('sums inbound audio+video and takes RTT from the selected candidate pair', () => {
    const s = extractSample(
      report([
        { id: 'v', type: 'inbound-rtp', kind: 'video', bytesReceived: 1000, packetsReceived: 10, packetsLost: 1, framesDecoded: 30, frameWidth: 640, frameHeight: 480, framesPerSecond: 29 },
        { id: 'a', type: 'inbound-rtp', kind: 'audio', bytesReceived: 200, packetsReceived: 50, packetsLost: 0 },
        { id: 't', type: 'transport', selectedCandidatePairId: 'cp1' },
        { id: 'cp1', type: 'candidate-pair', currentRoundTripTime: 0.042 },
        { id: 'cp2', type: 'candidate-pair', currentRoundTripTime: 0.9 },
        { id: 'o', type: 'outbound-rtp', bytesSent: 777 },
      ]),
      1000,
    );
    expect(s).toEqual({
      timestampMs: 1000,
      bytesReceived: 1200,
      bytesSent: 777,
      packetsReceived: 60,
      packetsLost: 1,
      audioPacketsReceived: 50,
      framesDecoded: 30,
      frameWidth: 640,
      frameHeight: 480,
      framesPerSecond: 29,
      roundTripTime: 0.042,
    });
  });

  it('falls back to the nominated pair, then remote-inbound-rtp for RTT', () => {
    expect(extractSample(report([{ id: 'cp', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.1 }]), 0).roundTripTime).toBe(0.1);
    expect(extractSample(report([{ id: 'r', type: 'remote-inbound-rtp', roundTripTime: 0.2 }]), 0).roundTripTime).toBe(0.2);
    expect(extractSample(report([]), 0).roundTripTime).toBeNull();
  });
});

describe('computeMetrics', () => {
  it('computes bitrate and loss over the interval', () => {
    const prev = base({ timestampMs: 0, bytesReceived: 0, packetsReceived: 100, packetsLost: 0 });
    const cur = base({ timestampMs: 2000, bytesReceived: 250_000, packetsReceived: 290, packetsLost: 10, roundTripTime: 0.05, framesPerSecond: 30, frameWidth: 1280, frameHeight: 720 });
    const m = computeMetrics(prev, cur);
    expect(m.bitrateKbps).toBe(1000); // 250 kB * 8 / 2 s
    expect(m.lossPercent).toBe(5); // 10 lost of 200
    expect(m.rttMs).toBe(50);
    expect(m.fps).toBe(30);
    expect([m.width, m.height]).toEqual([1280, 720]);
    expect(m.level).toBe('fair');
  });

  it('derives fps from framesDecoded when the browser gives no framesPerSecond', () => {
    const m = computeMetrics(base({ timestampMs: 0, framesDecoded: 100 }), base({ timestampMs: 2000, framesDecoded: 150 }));
    expect(m.fps).toBe(25);
  });

  it('has no rate without a previous sample, and ignores counter resets', () => {
    expect(computeMetrics(null, base({ bytesReceived: 5 })).bitrateKbps).toBeNull();
    const m = computeMetrics(base({ timestampMs: 0, bytesReceived: 1000, packetsReceived: 50 }), base({ timestampMs: 1000, bytesReceived: 10, packetsReceived: 1 }));
    expect(m.bitrateKbps).toBeNull();
    expect(m.lossPercent).toBeNull();
  });
});

describe('classify', () => {
  it.each([
    [{ rttMs: 20, lossPercent: 0 }, 'good'],
    [{ rttMs: 149, lossPercent: 1.9 }, 'good'],
    [{ rttMs: 150, lossPercent: 0 }, 'fair'],
    [{ rttMs: 20, lossPercent: 2 }, 'fair'],
    [{ rttMs: 399, lossPercent: 7.9 }, 'fair'],
    [{ rttMs: 400, lossPercent: 0 }, 'poor'],
    [{ rttMs: 10, lossPercent: 8 }, 'poor'],
    [{ rttMs: null, lossPercent: 0 }, 'good'],
    [{ rttMs: 500, lossPercent: null }, 'poor'],
    [{ rttMs: null, lossPercent: null }, 'unknown'],
  ] as const)('%o -> %s', (m, level) => {
    expect(classify(m)).toBe(level);
  });
});

describe('history and formatting', () => {
  it('keeps only the last minute', () => {
    let h: Array<{ t: number; v: number }> = [];
    for (let t = 0; t <= 120_000; t += 2000) h = pushHistory(h, { t, v: t });
    expect(h[0]!.t).toBe(62_000);
    expect(h.at(-1)!.t).toBe(120_000);
    expect(h).toHaveLength(30);
  });
  it('formats bitrates', () => {
    expect(formatBitrate(null)).toBe('—');
    expect(formatBitrate(812.4)).toBe('812 kbps');
    expect(formatBitrate(2450)).toBe('2.5 Mbps');
  });
});

describe('one connection, many senders (the media server)', () => {
  it('counts only the inbound streams the filter picks, and the connection round trip for each', () => {
    const r = report([
      { id: 'v1', type: 'inbound-rtp', kind: 'video', mid: '3', bytesReceived: 1000, packetsReceived: 10, framesDecoded: 7 },
      { id: 'v2', type: 'inbound-rtp', kind: 'video', mid: '4', bytesReceived: 5000, packetsReceived: 50, framesDecoded: 40 },
      { id: 't', type: 'transport', selectedCandidatePairId: 'cp1' },
      { id: 'cp1', type: 'candidate-pair', currentRoundTripTime: 0.02 },
    ]);
    expect(extractSample(r, 0, (s) => s.mid === '3')).toMatchObject({ bytesReceived: 1000, packetsReceived: 10, framesDecoded: 7, roundTripTime: 0.02 });
    expect(extractSample(r, 0)).toMatchObject({ bytesReceived: 6000, framesDecoded: 47 });
  });

  it('reads the loss of our uploads from the receiver reports over the interval', () => {
    const at = (sent: number, lost: number) =>
      extractUplink(
        report([
          { id: 'o', type: 'outbound-rtp', kind: 'video', packetsSent: sent },
          { id: 'ri', type: 'remote-inbound-rtp', kind: 'video', packetsLost: lost, roundTripTime: 0.04 },
        ]),
        0,
      );
    expect(uplinkConditions(null, at(100, 5))).toEqual({ lossPercent: null, rttMs: 40 });
    expect(uplinkConditions(at(100, 5), at(300, 25))).toEqual({ lossPercent: 10, rttMs: 40 });
    expect(uplinkConditions(at(300, 25), at(300, 25))).toEqual({ lossPercent: 0, rttMs: 40 });
  });
});
