// Relay-only onto the media server (issue 15): with TURN (a real coturn) and `?relay=1`, a page in
// a room on the media server (SFU_MODE=always) reaches the media server through the relay (its
// selected candidate pair's local candidate is a relay one) and gets video. Pages capture at
// 320x180, 15 fps.
import { expect, test, type Page } from '@playwright/test';
import { startCoturn, type RunningTurn } from '../helpers/coturn';
import { frameWatch, smallCapture } from '../helpers/pageScripts';
import { joinCall, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

const TURN_SECRET = 'e2e-sfu-turn-secret';

/** The page's one connection: its ICE policy, connection state and selected pair's candidate types. */
function mediaServerPath(page: Page): Promise<{ connections: number; policy: string; state: string; local: string; remote: string; remotePort: number | null }> {
  return page.evaluate(async () => {
    const pcs = window.__pulsemeet.outboundConnections() as RTCPeerConnection[];
    const pc = pcs[0];
    const out = { connections: pcs.length, policy: pc?.getConfiguration().iceTransportPolicy ?? '', state: pc?.connectionState ?? '', local: '', remote: '', remotePort: null as number | null };
    if (!pc) return out;
    const byId = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((s: Record<string, unknown> & { id: string }) => byId.set(s.id, s));
    for (const s of byId.values()) {
      if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
      const pair = byId.get(s.selectedCandidatePairId);
      const local = pair && byId.get(pair.localCandidateId as string);
      const remote = pair && byId.get(pair.remoteCandidateId as string);
      out.local = String(local?.candidateType ?? '');
      out.remote = String(remote?.candidateType ?? '');
      out.remotePort = typeof remote?.port === 'number' ? remote.port : null;
    }
    return out;
  });
}

function liveRemoteVideos(page: Page): Promise<number> {
  return page.evaluate(() => {
    const watch = (window as unknown as { __frameWatch: { last: Record<string, number> } }).__frameWatch;
    const now = performance.now();
    const ids = [...document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')].map((t) => t.dataset.peerId ?? '');
    return ids.filter((id) => now - (watch.last[id] ?? -Infinity) < 1_500).length;
  });
}

let turn: RunningTurn;

test.beforeAll(async () => {
  turn = await startCoturn(TURN_SECRET);
});

test.afterAll(async () => {
  await turn?.stop();
});

test('relay-only pages reach the media server through TURN and get video', async ({ browser }) => {
  test.setTimeout(180_000);
  const server: RunningServer = await startServer({ env: { SFU_MODE: 'always', TURN_ENABLED: 'true', TURN_URLS: turn.url, TURN_SECRET, TURN_TTL_SECONDS: '600' } });
  const people: Participant[] = [];
  const roomId = `e2e-sfu-relay-${Date.now().toString(36)}`;
  try {
    for (const name of ['Ada Relay', 'Bob Relay']) people.push(await joinCall(browser, server.baseURL, roomId, name, 'relay=1', { initScripts: [smallCapture, frameWatch] }));
    for (const p of people) {
      await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.mediaTransport())).toBe('sfu');
      await expect.poll(async () => (await mediaServerPath(p.page)).state, { timeout: 60_000, message: `${p.name} connects to the media server` }).toBe('connected');
      const path = await mediaServerPath(p.page);
      expect(path, `${p.name}'s one connection goes through the relay to the media server`).toMatchObject({ connections: 1, policy: 'relay', local: 'relay', remote: 'host', remotePort: server.mediaPort });
      await expect.poll(() => liveRemoteVideos(p.page), { timeout: 60_000, message: `${p.name} sees video through the relay and the media server` }).toBe(1);
    }
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});
