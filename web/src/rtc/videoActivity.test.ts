import { describe, expect, it } from 'vitest';
import { DARK_LEVEL, NO_PICTURE_AFTER_MS, VideoActivity, isDark, type VideoProbe } from './videoActivity';

/** A probe the test sets by hand: what the element and track say at each sample. */
function probe(init: Partial<{ muted: boolean; frames: number | null; dark: boolean | null }> = {}) {
  const state = { muted: false, frames: 0 as number | null, dark: null as boolean | null, ...init };
  const p: VideoProbe = { muted: () => state.muted, frames: () => state.frames, dark: () => state.dark };
  return { state, activity: new VideoActivity(p) };
}

/** Samples every 500 ms from `from` to `to` (inclusive), letting `step` change the probe first. */
function run(a: VideoActivity, from: number, to: number, step: (t: number) => void = () => undefined): boolean {
  let last = false;
  for (let t = from; t <= to; t += 500) {
    step(t);
    last = a.sample(t);
  }
  return last;
}

describe('VideoActivity', () => {
  it('shows nothing until the first frames, then the video while frames rise and are not black', () => {
    const { state, activity } = probe();
    expect(activity.sample(0)).toBe(false); // no frame yet: initials, not a black tile
    state.frames = 12;
    state.dark = false;
    expect(activity.sample(500)).toBe(true);
    expect(run(activity, 1_000, 10_000, () => (state.frames! += 10))).toBe(true);
  });

  it('frames that stop rising for 2 s (the sender stopped, nothing decodes) bring the initials back', () => {
    const { state, activity } = probe({ dark: false });
    run(activity, 0, 2_000, () => (state.frames! += 10));
    expect(activity.sample(2_000 + NO_PICTURE_AFTER_MS - 500)).toBe(true);
    expect(activity.sample(2_000 + NO_PICTURE_AFTER_MS)).toBe(false);
    state.frames! += 1;
    expect(activity.sample(2_000 + NO_PICTURE_AFTER_MS + 500)).toBe(true); // back at the first new frame
  });

  it('black frames at the full rate (a disabled track) for 2 s bring the initials; the first real picture ends them', () => {
    const { state, activity } = probe({ dark: false });
    run(activity, 0, 3_000, () => (state.frames! += 10));
    state.dark = true;
    expect(run(activity, 3_500, 3_500 + NO_PICTURE_AFTER_MS - 500, () => (state.frames! += 10))).toBe(true);
    expect(run(activity, 3_500 + NO_PICTURE_AFTER_MS, 8_000, () => (state.frames! += 10))).toBe(false);
    state.dark = false;
    expect(activity.sample(8_500)).toBe(true);
  });

  it('a moment of black (a cut, a dark scene change) does not flicker the tile', () => {
    const { state, activity } = probe({ dark: false });
    run(activity, 0, 2_000, () => (state.frames! += 10));
    expect(
      run(activity, 2_500, 6_000, (t) => {
        state.frames! += 10;
        state.dark = t % 1_500 === 0;
      }),
    ).toBe(true);
  });

  it('a muted track shows the initials at once', () => {
    const { state, activity } = probe({ dark: false });
    run(activity, 0, 2_000, () => (state.frames! += 10));
    state.muted = true;
    expect(activity.sample(2_500)).toBe(false);
  });

  it('where frames cannot be counted, the picture and the track decide', () => {
    const { state, activity } = probe({ frames: null, dark: false });
    expect(activity.sample(0)).toBe(true);
    state.dark = true;
    expect(run(activity, 500, 500 + NO_PICTURE_AFTER_MS)).toBe(false);
  });
});

describe('isDark', () => {
  it('is true only when every pixel is black in all channels (alpha ignored)', () => {
    expect(isDark([0, 0, 0, 255, DARK_LEVEL, DARK_LEVEL, DARK_LEVEL, 255])).toBe(true);
    expect(isDark([0, 0, 0, 255, 0, DARK_LEVEL + 1, 0, 255])).toBe(false);
    expect(isDark([200, 10, 10, 255, 0, 0, 0, 255])).toBe(false);
  });
});
