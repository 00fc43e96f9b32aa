import { describe, expect, it } from 'vitest';
import { levelBetween } from './audioLevel';

describe('levelBetween', () => {
  it('is the RMS level over the interval, so a short loud sound between polls still counts', () => {
    // 20 ms at level 0.5 inside a 250 ms interval: energy 0.25 * 0.02.
    const level = levelBetween({ totalAudioEnergy: 1, totalSamplesDuration: 10 }, { totalAudioEnergy: 1 + 0.25 * 0.02, totalSamplesDuration: 10.25 });
    expect(level).toBeCloseTo(Math.sqrt(0.005 / 0.25), 6);
    expect(level!).toBeGreaterThan(0.03);
  });
  it('is zero for silence and null without a previous sample or without audio played', () => {
    expect(levelBetween({ totalAudioEnergy: 2, totalSamplesDuration: 5 }, { totalAudioEnergy: 2, totalSamplesDuration: 5.25 })).toBe(0);
    expect(levelBetween(undefined, { totalAudioEnergy: 2, totalSamplesDuration: 5 })).toBeNull();
    expect(levelBetween({ totalAudioEnergy: 2, totalSamplesDuration: 5 }, { totalAudioEnergy: 2, totalSamplesDuration: 5 })).toBeNull();
  });
});
