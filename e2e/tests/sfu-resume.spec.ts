// Resume onto the media server (issue 15): a room on the media server (SFU_MODE=always), the
// server is killed and comes back with the same SESSION_SECRET; the pages resume under the same
// ids and get video from the new process's media server again, without reloading. Pages capture
// at 320x180, 15 fps.
import { expect, test, type Page } from '@playwright/test';
import { frameWatch, smallCapture } from '../helpers/pageScripts';
import { joinCall, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

const SESSION_SECRET = 'e2e-sfu-resume-secret-4c1d9e7a2b';

/** Remote camera tiles whose painted frames are no older than 1.5 s. */
function liveRemoteVideos(page: Page): Promise<number> {
  return page.evaluate(() => {
    const watch = (window as unknown as { __frameWatch: { last: Record<string, number> } }).__frameWatch;
    const now = performance.now();
    const ids = [...document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')].map((t) => t.dataset.peerId ?? '');
    return ids.filter((id) => now - (watch.last[id] ?? -Infinity) < 1_500).length;
  });
}

/** The state of the page's one connection (to the media server). */
function sfuConnectionState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const pcs = window.__pulsemeet.outboundConnections() as RTCPeerConnection[];
    return pcs.length === 1 ? pcs[0]!.connectionState : `${pcs.length} connections`;
  });
}

test('a page on the media server resumes after a server restart and gets video from the new media server, without reloading', async ({ browser }) => {
  test.setTimeout(180_000);
  const env = { SESSION_SECRET, SFU_MODE: 'always' };
  let server: RunningServer = await startServer({ env });
  const people: Participant[] = [];
  const roomId = `e2e-sfu-resume-${Date.now().toString(36)}`;
  try {
    for (const name of ['Ada', 'Bob']) people.push(await joinCall(browser, server.baseURL, roomId, name, '', { initScripts: [smallCapture, frameWatch] }));
    const [a, b] = people as [Participant, Participant];
    for (const p of people) {
      await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.mediaTransport())).toBe('sfu');
      await expect.poll(() => liveRemoteVideos(p.page), { timeout: 60_000, message: `${p.name} sees video through the media server` }).toBe(1);
    }
    const ids = { a: await a.peerId(), b: await b.peerId() };
    const firstMediaPort = server.mediaPort;

    const port = server.port;
    await server.kill();
    // The media server is gone with the process: no video reaches either page any more.
    for (const p of people) await expect.poll(() => liveRemoteVideos(p.page), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => sfuConnectionState(a.page), { timeout: 30_000 }).not.toBe('connected');

    server = await startServer({ port, env });
    expect(server.mediaPort).not.toBeNull();
    for (const p of people) await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.phase()), { timeout: 30_000 }).toBe('joined');
    expect(await a.peerId()).toBe(ids.a);
    expect(await b.peerId()).toBe(ids.b);
    for (const p of people) {
      await expect.poll(() => liveRemoteVideos(p.page), { timeout: 60_000, message: `${p.name} sees video again through the new media server` }).toBe(1);
      expect(await p.page.evaluate(() => window.__pulsemeet.mediaTransport())).toBe('sfu');
      await expect.poll(() => sfuConnectionState(p.page), { timeout: 30_000 }).toBe('connected');
    }
    await expect.poll(() => server.metric('pulsemeet_resumes_total'), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => server.metric('pulsemeet_media_rtp_packets_sent_total'), { timeout: 20_000 }).toBeGreaterThan(0);
    console.log(`sfu resume: media port ${firstMediaPort} -> ${server.mediaPort}`);
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});
