// What a page receives, per remote tile, read from the real objects: the track its <video> shows,
// the m-line (transceiver) that track belongs to on the connection that carries it, and that
// m-line's inbound-rtp counters. Printed when a media-server spec fails, so that a video that
// does not paint says whether its packets arrive, decode, or go to another tile.
import type { Page } from '@playwright/test';

export interface TileDiagnosis {
  peerId: string;
  /** The id of the video track the tile's <video> shows (null: none). */
  shownTrack: string | null;
  /** The m-line whose receiver owns that track on the tile's connection (null: none of them). */
  mid: string | null;
  inbound: Record<string, unknown> | null;
}

export function diagnoseTiles(page: Page): Promise<TileDiagnosis[]> {
  return page.evaluate(async () => {
    const out: TileDiagnosis[] = [];
    const pcs = window.__pulsemeet.peerConnections() as Record<string, RTCPeerConnection | undefined>;
    for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')) {
      const peerId = tile.dataset.peerId ?? '';
      const video = tile.querySelector('video');
      const stream = video?.srcObject instanceof MediaStream ? video.srcObject : null;
      const shown = stream?.getVideoTracks()[0] ?? null;
      const pc = pcs[peerId];
      const transceiver = pc?.getTransceivers().find((t) => t.receiver.track === shown) ?? null;
      let inbound: Record<string, unknown> | null = null;
      if (pc && transceiver?.mid) {
        const report = await pc.getStats();
        report.forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp' || s.mid !== transceiver.mid) return;
          const pick = ['ssrc', 'packetsReceived', 'packetsLost', 'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'pliCount', 'firCount', 'nackCount', 'frameWidth'];
          inbound = Object.fromEntries(pick.map((k) => [k, s[k]]));
        });
      }
      out.push({ peerId, shownTrack: shown?.id ?? null, mid: transceiver?.mid ?? null, inbound });
    }
    return out;
  });
}
