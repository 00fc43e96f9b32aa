// Rooms on the media server with many people (docs/protocol.md, "Rooms on the media server"):
// what the server's `sfu-forwarding` says about each tile, and the `sfu-view` entries that carry
// our pin to it (last-N forwards a pinned camera whatever it would choose).
import type { SfuViewEntry, ForwardableTrack } from '../protocol/messages';

/** The peers whose camera the server forwards to us now, from an `sfu-forwarding` list. */
export function forwardedCameras(video: readonly ForwardableTrack[]): Set<string> {
  return new Set(video.filter((v) => v.source === 'camera').map((v) => v.peerId));
}

/**
 * Whether a remote's camera reaches us: always on the mesh and before the server has said
 * (`forwarded` null), else only when `sfu-forwarding` listed it.
 */
export function cameraForwarded(peerId: string, forwarded: ReadonlySet<string> | null): boolean {
  return forwarded === null || forwarded.has(peerId);
}

/** A tile's size when nobody measured it (a size part of sfu-view may replace it). */
const NOMINAL = { width: 640, height: 360 };

/**
 * `sfu-view` for our pin: every remote camera and screen we know of, at a nominal size, the
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
