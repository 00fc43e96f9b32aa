// How this page shows each remote video now, read from the tiles on screen, for `sfu-view`
// (docs/protocol.md, "Rooms on the media server"): the media server forwards each video at the
// smallest simulcast layer that fills it, and not at all when it is not visible.
import type { SfuViewEntry } from '../protocol/messages';

/** The protocol's pixel limit per side. */
const MAX_PIXELS = 8192;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function intersect(a: Box, b: Box): Box {
  return { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
}

/** Whether any of `el` can be seen: inside the window and every scrolling or clipping ancestor. */
function visible(el: Element): boolean {
  const rect = el.getBoundingClientRect();
  let box: Box = intersect(rect, { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight });
  for (let parent = el.parentElement; parent; parent = parent.parentElement) {
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    if (style.overflowX !== 'visible' || style.overflowY !== 'visible') box = intersect(box, parent.getBoundingClientRect());
  }
  return box.right - box.left > 0 && box.bottom - box.top > 0;
}

/**
 * The picture's size on screen in device pixels: the video element's box, with the picture fitted
 * into it (contain) or covering it (cover) once its own aspect ratio is known.
 */
export function shownSize(box: { width: number; height: number }, video: { width: number; height: number } | null, cover: boolean, dpr: number): { width: number; height: number } {
  let { width, height } = box;
  if (video && video.width > 0 && video.height > 0 && width > 0 && height > 0) {
    const scale = cover ? Math.max(width / video.width, height / video.height) : Math.min(width / video.width, height / video.height);
    width = video.width * scale;
    height = video.height * scale;
  }
  const px = (v: number) => Math.min(MAX_PIXELS, Math.max(0, Math.round(v * dpr)));
  return { width: px(width), height: px(height) };
}

/** Every remote video tile on the page and how large it is shown; null where there is no page. */
export function readTileViews(): SfuViewEntry[] | null {
  if (typeof document === 'undefined' || typeof window === 'undefined') return null;
  const hidden = document.visibilityState === 'hidden';
  const dpr = window.devicePixelRatio || 1;
  const views = new Map<string, SfuViewEntry>();
  const add = (tile: Element, source: 'camera' | 'screen', videoSelector: string) => {
    const peerId = tile.getAttribute('data-peer-id');
    const video = tile.querySelector<HTMLVideoElement>(videoSelector);
    if (!peerId || !video) return;
    const rect = video.getBoundingClientRect();
    const cover = getComputedStyle(video).objectFit === 'cover';
    const size = hidden || !visible(video) ? { width: 0, height: 0 } : shownSize(rect, { width: video.videoWidth, height: video.videoHeight }, cover, dpr);
    const key = `${peerId}/${source}`;
    const before = views.get(key);
    // The same video in two places (a strip and the stage): the larger one counts.
    if (before && before.width * before.height >= size.width * size.height) return;
    views.set(key, { peerId, source, ...size });
  };
  for (const tile of document.querySelectorAll('[data-testid="tile"][data-local="false"]')) add(tile, 'camera', 'video');
  for (const tile of document.querySelectorAll('[data-testid="screen-tile"][data-local="false"]')) add(tile, 'screen', 'video');
  return [...views.values()].sort((a, b) => (a.peerId === b.peerId ? a.source.localeCompare(b.source) : a.peerId.localeCompare(b.peerId)));
}

/** A tile's size when nobody measured it (no page to read the tiles from). */
const NOMINAL = { width: 640, height: 360 };

/**
 * `sfu-view` for our pin where there is no page to read: every remote camera and screen we know of, at a nominal size, the
 * pinned person's camera marked `pinned`. Every video stays listed, so none of them reads as
 * "not visible".
 */
export function pinView(remotes: readonly { id: string; screen: boolean }[], pinnedId: string | null): SfuViewEntry[] {
  const views: SfuViewEntry[] = [];
  for (const r of remotes) {
    views.push(r.id === pinnedId ? { peerId: r.id, source: 'camera', ...NOMINAL, pinned: true } : { peerId: r.id, source: 'camera', ...NOMINAL });
    if (r.screen) views.push({ peerId: r.id, source: 'screen', ...NOMINAL });
  }
  return views;
}
