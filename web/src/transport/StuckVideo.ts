// A remote video whose packets keep arriving while nothing of it is decoded: the decoder waits
// for something that will not come (a key frame lost before our receiver existed, frames it takes
// for old ones). Chrome asks for key frames itself; when that has not helped for STUCK_AFTER_MS,
// the media server transport makes a fresh connection, whose streams start anew (issue 15).

/** Packets rising and no frame decoded for this long is a stuck video. */
export const STUCK_AFTER_MS = 4_000;

interface Watched {
  mid: string;
  packets: number;
  frames: number;
  /** Since when packets rose without a decoded frame; null while frames come. */
  stuckSince: number | null;
}

export class StuckVideoWatch {
  private readonly watched = new Map<string, Watched>();

  /**
   * One sample of a remote's camera: the m-line that carries it and its inbound counters.
   * True when it is stuck: packets rose over every sample of the last STUCK_AFTER_MS and the
   * decoded frames did not.
   */
  observe(peerId: string, mid: string, packets: number, frames: number, nowMs: number): boolean {
    const last = this.watched.get(peerId);
    if (!last || last.mid !== mid || packets < last.packets || frames < last.frames) {
      // New, moved to another m-line, or counters of a new connection: start over.
      this.watched.set(peerId, { mid, packets, frames, stuckSince: null });
      return false;
    }
    let stuckSince: number | null = null;
    if (frames === last.frames && packets > last.packets) stuckSince = last.stuckSince ?? nowMs;
    this.watched.set(peerId, { mid, packets, frames, stuckSince });
    return stuckSince !== null && nowMs - stuckSince >= STUCK_AFTER_MS;
  }

  forget(peerId: string): void {
    this.watched.delete(peerId);
  }

  clear(): void {
    this.watched.clear();
  }
}
