// Samples a remote <video> a few times a second and says whether it shows a picture (see
// rtc/videoActivity.ts for the rules). The tile shows the initials while it does not.
import { useEffect, useState, type RefObject } from 'react';
import { VideoActivity, isDark, type VideoProbe } from '../rtc/videoActivity';

const SAMPLE_EVERY_MS = 500;
/** The picture is read at this size: enough to tell black from anything else, cheap to read. */
const SAMPLE_SIZE = 8;

function elementProbe(el: HTMLVideoElement, track: MediaStreamTrack): VideoProbe {
  const canvas = document.createElement('canvas');
  canvas.width = SAMPLE_SIZE;
  canvas.height = SAMPLE_SIZE;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return {
    muted: () => track.muted,
    frames: () => (typeof el.getVideoPlaybackQuality === 'function' ? el.getVideoPlaybackQuality().totalVideoFrames : null),
    dark: () => {
      if (!ctx || el.videoWidth === 0) return null;
      try {
        ctx.drawImage(el, 0, 0, SAMPLE_SIZE, SAMPLE_SIZE);
        return isDark(ctx.getImageData(0, 0, SAMPLE_SIZE, SAMPLE_SIZE).data);
      } catch {
        return null;
      }
    },
  };
}

/** Whether `track`, playing in `ref`'s element, shows a picture; always true when `watch` is false. */
export function useVideoShowing(ref: RefObject<HTMLVideoElement | null>, track: MediaStreamTrack | null, watch: boolean): boolean {
  const [showing, setShowing] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!watch || !el || !track) return;
    const activity = new VideoActivity(elementProbe(el, track));
    const tick = () => setShowing(activity.sample(performance.now()));
    tick();
    const timer = setInterval(tick, SAMPLE_EVERY_MS);
    return () => clearInterval(timer);
  }, [ref, track, watch]);
  return !watch || showing;
}
