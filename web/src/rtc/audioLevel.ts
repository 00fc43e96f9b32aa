// How loud a remote microphone was, from getStats(): a pure function over plain samples.

/** Cumulative audio energy of one inbound stream, as `inbound-rtp` stats report it. */
export interface AudioEnergySample {
  totalAudioEnergy: number;
  totalSamplesDuration: number;
}

/**
 * The RMS level (0..1) of what was heard between two energy samples. A point sample of the
 * latest packet's level misses short sounds between polls (a syllable, a beep); the energy
 * accumulated over the whole interval does not. Null when no audio played in between.
 */
export function levelBetween(prev: AudioEnergySample | undefined, cur: AudioEnergySample): number | null {
  if (!prev) return null;
  const duration = cur.totalSamplesDuration - prev.totalSamplesDuration;
  const energy = cur.totalAudioEnergy - prev.totalAudioEnergy;
  if (!(duration > 0) || !(energy >= 0)) return null;
  return Math.min(1, Math.sqrt(energy / duration));
}
