// Browsers may refuse to autoplay media with sound before the user interacted with the page.
// Remote tiles then play muted and register here; one click on "enable audio" unmutes them all.
type Listener = () => void;

const blocked = new Set<HTMLMediaElement>();
const listeners = new Set<Listener>();

function emit() {
  listeners.forEach((fn) => fn());
}

export function reportBlocked(el: HTMLMediaElement): void {
  blocked.add(el);
  emit();
}

export function forget(el: HTMLMediaElement): void {
  if (blocked.delete(el)) emit();
}

export function isAudioBlocked(): boolean {
  return blocked.size > 0;
}

export function subscribeAudioBlocked(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Must run inside a click handler: the gesture is what lets play() with sound succeed. */
export function unlockAudio(): void {
  for (const el of [...blocked]) {
    el.muted = false;
    void el.play().then(
      () => forget(el),
      () => {
        el.muted = true;
        void el.play();
      },
    );
  }
}

/** Try to play with sound; fall back to muted playback and remember the element. */
export async function playWithAudio(el: HTMLMediaElement): Promise<void> {
  try {
    await el.play();
    forget(el);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'NotAllowedError') {
      el.muted = true;
      reportBlocked(el);
      await el.play().catch(() => undefined);
    }
    // AbortError: a newer srcObject replaced this one; the next effect plays it.
  }
}
