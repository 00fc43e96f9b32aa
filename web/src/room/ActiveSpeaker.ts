// Who is speaking, from audio levels sampled a few times a second. Levels flicker between
// syllables, so a speaker keeps the ring until they have been quiet for `holdMs`, and someone
// else only takes it over once that happened: the ring does not jump around mid-sentence.

export interface ActiveSpeakerOptions {
  /** Audio level (0..1, as RTCRtpSynchronizationSource.audioLevel) that counts as speech. */
  threshold?: number;
  holdMs?: number;
}

export class ActiveSpeaker {
  private readonly threshold: number;
  private readonly holdMs: number;
  private current: string | null = null;
  private lastHeard = new Map<string, number>();

  constructor(opts: ActiveSpeakerOptions = {}) {
    this.threshold = opts.threshold ?? 0.03;
    this.holdMs = opts.holdMs ?? 1_200;
  }

  get speaker(): string | null {
    return this.current;
  }

  /** One sample of every remote's level; returns the active speaker (null: nobody). */
  update(levels: ReadonlyMap<string, number>, now: number): string | null {
    let loudest: string | null = null;
    let loudestLevel = 0;
    for (const [id, level] of levels) {
      if (level < this.threshold) continue;
      this.lastHeard.set(id, now);
      if (level > loudestLevel) {
        loudest = id;
        loudestLevel = level;
      }
    }
    for (const id of [...this.lastHeard.keys()]) if (!levels.has(id)) this.lastHeard.delete(id);
    const currentHeard = this.current === null ? undefined : this.lastHeard.get(this.current);
    const currentHolds = currentHeard !== undefined && now - currentHeard < this.holdMs;
    if (!currentHolds) this.current = loudest;
    return this.current;
  }
}

/**
 * Tile order: the remotes as they joined, except that once the grid is crowded (more than
 * `roomyTiles` tiles, counting our own) the active speaker moves to the front where it stays big
 * and in view.
 */
export function orderRemotes<T extends { id: string }>(remotes: readonly T[], speakerId: string | null, roomyTiles = 4): T[] {
  if (remotes.length + 1 <= roomyTiles || speakerId === null) return [...remotes];
  const speaker = remotes.find((r) => r.id === speakerId);
  if (!speaker) return [...remotes];
  return [speaker, ...remotes.filter((r) => r !== speaker)];
}
