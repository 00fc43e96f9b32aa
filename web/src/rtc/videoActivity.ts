// Whether a remote video shows anything: the tile shows the person's initials instead of a black
// picture when it does not. A plain class over a probe, so the rules are tested without a browser.
//
// Three signs of a video with nothing in it, each measured in Chromium:
// - the track is muted: no packets arrive (the sender stopped sending, or none came yet);
// - no new frame for NO_PICTURE_AFTER_MS: packets come but nothing is decoded or shown;
// - every frame black for NO_PICTURE_AFTER_MS: the sender disabled its track (`enabled = false`,
//   what the original article's client does for "camera off", without telling us). Chromium then
//   keeps sending frames at the full rate, all black, and the track is not muted, so the first two
//   signs never show it.

/** What a tile can read about its video element and track, sampled a few times a second. */
export interface VideoProbe {
  /** The track's `muted`: no media is arriving. */
  muted(): boolean;
  /** Frames shown so far (`getVideoPlaybackQuality().totalVideoFrames`); null when not known. */
  frames(): number | null;
  /** Whether the current picture is black; null when it cannot be read (no picture yet). */
  dark(): boolean | null;
}

/** How long a video may show no new frame, or only black ones, before the initials replace it. */
export const NO_PICTURE_AFTER_MS = 2_000;

/** A picture whose every sampled pixel has all channels at or below this is black. */
export const DARK_LEVEL = 16;

/** True when every pixel (RGBA bytes, as getImageData gives them) is black. */
export function isDark(rgba: ArrayLike<number>): boolean {
  for (let i = 0; i + 2 < rgba.length; i += 4) {
    if (rgba[i]! > DARK_LEVEL || rgba[i + 1]! > DARK_LEVEL || rgba[i + 2]! > DARK_LEVEL) return false;
  }
  return true;
}

export class VideoActivity {
  private lastFrames: number | null = null;
  /** When frames were last seen rising; null: never yet. */
  private lastNewFrameAt: number | null = null;
  private darkSince: number | null = null;
  private _showing = false;

  constructor(private readonly probe: VideoProbe) {}

  /** The latest verdict: false until the first frames are seen, so a tile never starts black. */
  get showing(): boolean {
    return this._showing;
  }

  /** Reads the probe at `nowMs`; returns whether the video shows a picture worth showing. */
  sample(nowMs: number): boolean {
    const frames = this.probe.frames();
    if (frames !== null && (this.lastFrames === null || frames > this.lastFrames)) {
      if (this.lastFrames !== null || frames > 0) this.lastNewFrameAt = nowMs;
    }
    if (frames !== null) this.lastFrames = frames;

    const dark = this.probe.dark();
    if (dark === true) this.darkSince ??= nowMs;
    else if (dark === false) this.darkSince = null;

    const framesKnown = frames !== null;
    const framesFlow = !framesKnown || (this.lastNewFrameAt !== null && nowMs - this.lastNewFrameAt < NO_PICTURE_AFTER_MS);
    const black = this.darkSince !== null && nowMs - this.darkSince >= NO_PICTURE_AFTER_MS;
    this._showing = !this.probe.muted() && framesFlow && !black;
    return this._showing;
  }
}
