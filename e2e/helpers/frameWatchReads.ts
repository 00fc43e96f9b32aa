// Reads of the frame watch (helpers/pageScripts.ts `frameWatch`) that many media specs share.
import type { Page } from '@playwright/test';

/** Remote camera tiles whose last painted frame is no older than `freshMs`. */
export function liveRemoteVideos(page: Page, freshMs = 1500): Promise<number> {
  return page.evaluate((fresh) => {
    const watch = (window as unknown as { __frameWatch: { last: Record<string, number> } }).__frameWatch;
    const now = performance.now();
    const ids = [...document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')].map((t) => t.dataset.peerId ?? '');
    return ids.filter((id) => now - (watch.last[id] ?? -Infinity) < fresh).length;
  }, freshMs);
}
