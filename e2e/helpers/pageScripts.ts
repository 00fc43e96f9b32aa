// Scripts a spec installs in a page before the app loads (context.addInitScript).

/**
 * Many-page media tests on two cores: every camera the app opens is asked for 320x180 at 15 fps
 * whatever the app requests, so five pages can encode and decode at once.
 */
export function smallCapture(): void {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (constraints?: MediaStreamConstraints) => {
    if (constraints && constraints.video) {
      const video = typeof constraints.video === 'object' ? constraints.video : {};
      constraints = { ...constraints, video: { ...video, width: { ideal: 320 }, height: { ideal: 180 }, frameRate: { ideal: 15 } } };
    }
    return original(constraints);
  };
}

/** Every camera the app opens captures 640x360 at 15 fps: room for two simulcast layers. */
export function mediumCapture(): void {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (constraints?: MediaStreamConstraints) => {
    if (constraints && constraints.video) {
      const video = typeof constraints.video === 'object' ? constraints.video : {};
      constraints = { ...constraints, video: { ...video, width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } } };
    }
    return original(constraints);
  };
}

/**
 * Watches every remote camera tile's <video> with requestVideoFrameCallback: per peer id, when
 * its last frame was painted, and the longest gap between two painted frames since
 * `__frameWatch.reset()` (which also forgets people whose tile is gone). Keyed by peer id, not by element, so a tile whose video element or
 * source changes (a switch between mesh and media server) keeps one record.
 */
export function frameWatch(): void {
  interface Watch {
    last: Record<string, number>;
    worst: Record<string, number>;
    /** When the worst gap of each peer ended (performance.now()). */
    worstAt: Record<string, number>;
    /** Frames painted per peer since the page loaded. */
    frames: Record<string, number>;
    /** When the first frame of each peer was painted (performance.now()). */
    first: Record<string, number>;
    reset(): void;
    /** Longest gap per peer, counting the time since its last frame as a gap too. */
    gaps(): Record<string, number>;
    /**
     * Longest time the page's own 100 ms timer waited since reset: when it is as long as a frame
     * gap, the page was not scheduled (CPU starvation of many pages on two cores), not a media
     * problem.
     */
    stall: number;
    stallAt: number;
  }
  const watch: Watch = {
    last: {},
    worst: {},
    worstAt: {},
    frames: {},
    first: {},
    stall: 0,
    stallAt: 0,
    reset() {
      this.worst = {};
      this.worstAt = {};
      this.stall = 0;
      this.stallAt = 0;
      const now = performance.now();
      // Only people with a tile now: someone who left paints no more frames, and counting the
      // time since they left as a gap would fail a test for a person who is simply gone.
      const present = new Set(
        [...document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')].map((t) => t.dataset.peerId),
      );
      for (const id of Object.keys(this.last)) {
        if (present.has(id)) this.last[id] = now;
        else delete this.last[id];
      }
    },
    gaps() {
      const now = performance.now();
      const out: Record<string, number> = {};
      for (const id of Object.keys(this.last)) out[id] = Math.max(this.worst[id] ?? 0, now - (this.last[id] ?? now));
      return out;
    },
  };
  (window as unknown as { __frameWatch: Watch }).__frameWatch = watch;
  const watched = new WeakSet<HTMLVideoElement>();
  let tick = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - tick > watch.stall) {
      watch.stall = now - tick;
      watch.stallAt = now;
    }
    tick = now;
    document.querySelectorAll<HTMLVideoElement>('[data-testid="tile"][data-local="false"] video').forEach((video) => {
      if (watched.has(video)) return;
      const tile = video.closest<HTMLElement>('[data-testid="tile"]');
      const id = tile?.dataset.peerId;
      if (!id) return;
      watched.add(video);
      const onFrame = (now: number) => {
        const last = watch.last[id];
        if (last !== undefined && now - last > (watch.worst[id] ?? 0)) {
          watch.worst[id] = now - last;
          watch.worstAt[id] = now;
        }
        watch.last[id] = now;
        watch.frames[id] = (watch.frames[id] ?? 0) + 1;
        watch.first[id] ??= now;
        if (video.isConnected) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    });
  }, 100);
}
