// Rooms on the media server with many people (docs/protocol.md, "Rooms on the media server"):
// what the server's `sfu-forwarding` says about each tile (our pin travels in `sfu-view`, sent by
// the media-server transport: web/src/transport/tileViews.ts).
import type { ForwardableTrack } from '../protocol/messages';

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
