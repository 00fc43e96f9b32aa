import { describe, expect, it } from 'vitest';
import { chooseSendQuality } from './sendPolicy';

describe('chooseSendQuality', () => {
  it('gives each connection less as the mesh grows', () => {
    const kbps = [1, 2, 3, 4, 5, 7].map((peers) => chooseSendQuality({ peers, lossPercent: 0, rttMs: 20 }).maxBitrateKbps);
    for (let i = 1; i < kbps.length; i++) expect(kbps[i]).toBeLessThanOrEqual(kbps[i - 1]!);
    expect(kbps[0]).toBeGreaterThan(kbps[3]!);
    // A full room stays within an ordinary uplink.
    expect(7 * chooseSendQuality({ peers: 7, lossPercent: 0, rttMs: 20 }).maxBitrateKbps).toBeLessThanOrEqual(2000);
  });

  it('backs off on loss and on long round trips, and says why', () => {
    const clean = chooseSendQuality({ peers: 2, lossPercent: 0, rttMs: 30 });
    const lossy = chooseSendQuality({ peers: 2, lossPercent: 5, rttMs: 30 });
    const bad = chooseSendQuality({ peers: 2, lossPercent: 15, rttMs: 30 });
    const slow = chooseSendQuality({ peers: 2, lossPercent: null, rttMs: 600 });
    expect(lossy.maxBitrateKbps).toBeLessThan(clean.maxBitrateKbps);
    expect(bad.maxBitrateKbps).toBeLessThan(lossy.maxBitrateKbps);
    expect(bad.maxFramerate).toBe(15);
    expect(lossy.reason).toBe('packet loss');
    expect(slow.reason).toBe('high latency');
    expect(slow.maxBitrateKbps).toBeLessThan(clean.maxBitrateKbps);
  });
});
