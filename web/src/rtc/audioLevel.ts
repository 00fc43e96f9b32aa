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

/** The cumulative audio energy of the inbound audio stream `match` picks out of a stats report. */
export function audioEnergyIn(
  report: { forEach(cb: (value: unknown) => void): void },
  match: (stat: Record<string, unknown>) => boolean = () => true,
): AudioEnergySample | undefined {
  let energy: AudioEnergySample | undefined;
  report.forEach((v) => {
    if (typeof v !== 'object' || v === null) return;
    const s = v as Record<string, unknown>;
    if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || !match(s)) return;
    if (typeof s.totalAudioEnergy === 'number' && typeof s.totalSamplesDuration === 'number') {
      energy = { totalAudioEnergy: s.totalAudioEnergy, totalSamplesDuration: s.totalSamplesDuration };
    }
  });
  return energy;
}

/**
 * One remote microphone's level from poll to poll: the RMS of the energy heard in between, or at
 * least the latest packet's level (`getSynchronizationSources`) when there is no energy figure.
 */
export class AudioLevelMeter {
  private last: AudioEnergySample | undefined;

  level(latest: number, energy: AudioEnergySample | undefined): number {
    if (!energy) return latest;
    const level = levelBetween(this.last, energy);
    this.last = energy;
    return Math.max(latest, level ?? 0);
  }
}
