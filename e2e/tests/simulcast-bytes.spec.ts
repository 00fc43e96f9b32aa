// What simulcast saves (issue 18, docs/performance.md "Simulcast"): a room of five pages on the
// media server, each publishing a 640x360 camera (two layers, 320x180 and 640x360). The bytes
// the server forwards (pulsemeet_media_rtp_bytes_sent_total, audio included) are measured twice
// over the same window: first with every page's sfu-view rewritten to ask every video at
// 1920x1080, so that every viewer gets every video's full layer (what a one-layer server
// forwards), then with the app's own sfu-view (the layer each tile needs; a tile out of sight,
// nothing). A measurement, not a guard: five encoding pages are too heavy for `make test` on two
// cores, so it runs only with PULSEMEET_SIMULCAST_BYTES=1 and prints its numbers.
import { expect, test, type Browser } from '@playwright/test';
import { mediumCapture } from '../helpers/pageScripts';
import { joinCall, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test.skip(process.env.PULSEMEET_SIMULCAST_BYTES !== '1', 'a measurement: PULSEMEET_SIMULCAST_BYTES=1');
test.setTimeout(300_000);

const PAGES = 5;
const WINDOW_MS = 10_000;

/** While window.__everyFull is set, every sfu-view this page sends asks every video at 1080p. */
function everyFullLayer(): void {
  const w = window as unknown as { __everyFull: boolean };
  w.__everyFull = true;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    if (w.__everyFull && typeof data === 'string' && data.includes('"sfu-view"')) {
      const msg = JSON.parse(data) as { type: string; views?: Array<Record<string, unknown>> };
      if (msg.type === 'sfu-view' && msg.views) data = JSON.stringify({ ...msg, views: msg.views.map((v) => ({ ...v, width: 1920, height: 1080 })) });
    }
    return send.call(this, data);
  };
}

let server: RunningServer;
const people: Participant[] = [];

test.afterAll(async () => {
  for (const p of people) await p.close().catch(() => undefined);
  await server?.stop();
});

/** kbit/s forwarded per viewer over WINDOW_MS. */
async function perViewer(): Promise<number> {
  const before = await server.metric('pulsemeet_media_rtp_bytes_sent_total');
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const after = await server.metric('pulsemeet_media_rtp_bytes_sent_total');
  return Math.round(((after - before) * 8) / (WINDOW_MS / 1000) / PAGES / 1000);
}

/** What one page receives (frame widths of its video inbound-rtp) and sends (per RID). */
function pageLayers(p: Participant): Promise<unknown> {
  return p.page.evaluate(async () => {
    const inbound: number[] = [];
    const outbound: unknown[] = [];
    const seen = new Set<unknown>();
    for (const pc of [...Object.values(window.__pulsemeet.peerConnections()), ...window.__pulsemeet.outboundConnections()] as RTCPeerConnection[]) {
      if (seen.has(pc)) continue;
      seen.add(pc);
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') inbound.push(Number(s.frameWidth ?? 0));
        if (s.type === 'outbound-rtp' && s.kind === 'video') outbound.push([s.rid, s.frameWidth, s.qualityLimitationReason, s.targetBitrate]);
      });
    }
    return { inbound, outbound };
  });
}

test('bytes forwarded per viewer: every full layer, then the layers the tiles need', async ({ browser }: { browser: Browser }) => {
  server = await startServer({ env: { SFU_MODE: 'always' } });
  const roomId = `e2e-simulcast-bytes-${Date.now().toString(36)}`;
  for (let i = 0; i < PAGES; i++) people.push(await joinCall(browser, server.baseURL, roomId, `P${i}`, '', { initScripts: [mediumCapture, everyFullLayer] }));
  for (const p of people) await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.mediaTransport()), { timeout: 60_000 }).toBe('sfu');
  await new Promise((r) => setTimeout(r, 15_000)); // layers and estimates settle

  const everyFull = await perViewer();
  const layersEveryFull = await Promise.all(people.map(pageLayers));
  // The app's own sfu-view from now on: a new size makes every page send it again.
  for (const p of people) {
    await p.page.evaluate(() => ((window as unknown as { __everyFull: boolean }).__everyFull = false));
    await p.page.setViewportSize({ width: 1270, height: 715 });
  }
  await new Promise((r) => setTimeout(r, 8_000));
  const bySize = await perViewer();
  const layersBySize = await Promise.all(people.map(pageLayers));
  console.log(`simulcast layers: ${JSON.stringify({ layersEveryFull, layersBySize })}`);
  console.log(`simulcast bytes: ${JSON.stringify({ pages: PAGES, windowMs: WINDOW_MS, kbpsPerViewer: { everyFull, bySize } })}`);
  expect(everyFull).toBeGreaterThan(0);
});
