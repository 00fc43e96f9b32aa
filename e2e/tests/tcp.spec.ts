// Media over TCP when UDP is blocked (issue 20): one Chromium runs in a network namespace made by
// the test whose nftables drop every UDP packet (helpers/udpBlocked.ts); it joins a room on the
// media server and sends and receives video over ICE-TCP (RFC 6544) while the other page uses
// UDP. Connection times over TCP and UDP are measured and reported (never asserted).
import { expect, test, type Browser } from '@playwright/test';
import { expectFramesRising, joinCall, type Participant } from '../helpers/participant';
import { pcTiming } from '../helpers/pcTiming';
import { startServer, type RunningServer } from '../helpers/server';
import { launchChromium, makeUdpBlockedNetwork, type UdpBlockedNetwork } from '../helpers/udpBlocked';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

let network: UdpBlockedNetwork;
let server: RunningServer;
let baseURL: string;
let open: Browser;
let blocked: Browser;
const people: Participant[] = [];

test.beforeAll(async () => {
  network = makeUdpBlockedNetwork();
  // The server listens on this side of the namespace's pair only; both browsers reach it there.
  server = await startServer({ env: { HOST: network.hostAddress, SFU_MODE: 'always' } });
  baseURL = server.baseURL;
  const secure = `--unsafely-treat-insecure-origin-as-secure=${baseURL}`;
  open = await launchChromium([secure]);
  blocked = await launchChromium([secure], network.chromiumPath);
});

test.afterAll(async () => {
  for (const p of people) await p.close().catch(() => undefined);
  await open?.close();
  await blocked?.close();
  await server?.stop();
  network?.remove();
});

/** The protocol of the selected candidate pair's local candidate, per connection of the page. */
function selectedProtocols(p: Participant): Promise<string[]> {
  return p.page.evaluate(async () => {
    const out: string[] = [];
    for (const pc of window.__pulsemeet.outboundConnections() as RTCPeerConnection[]) {
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
        if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
        const pair = stats.get(s.selectedCandidatePairId) as { localCandidateId?: string } | undefined;
        const local = pair?.localCandidateId ? (stats.get(pair.localCandidateId) as { protocol?: string } | undefined) : undefined;
        out.push(local?.protocol ?? '?');
      });
    }
    return out;
  });
}

function connectMs(p: Participant): Promise<number[]> {
  return p.page.evaluate(() => ((window as unknown as { __pcTiming: Array<{ created: number; connected: number | null }> }).__pcTiming ?? []).filter((r) => r.connected !== null).map((r) => Math.round((r.connected as number) - r.created)));
}

test('a page whose UDP is blocked joins a room on the media server and gets video over TCP', async () => {
  const udpTimes: number[] = [];
  const tcpTimes: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const roomId = `e2e-tcp-${round}-${Date.now().toString(36)}`;
    const ada = await joinCall(open, baseURL, roomId, `Ada ${round}`, '', { initScripts: [pcTiming] });
    people.push(ada);
    const bob = await joinCall(blocked, baseURL, roomId, `Bob ${round}`, '', { initScripts: [pcTiming] });
    people.push(bob);
    await expect.poll(() => ada.page.evaluate(() => window.__pulsemeet.mediaTransport())).toBe('sfu');
    // Video both ways: Bob's over TCP, Ada's over UDP.
    await expectFramesRising(ada, await bob.peerId(), 40_000);
    await expectFramesRising(bob, await ada.peerId(), 40_000);
    await expect.poll(() => selectedProtocols(bob), { timeout: 20_000, message: 'Bob (UDP blocked) uses a TCP candidate pair' }).toEqual(['tcp']);
    await expect.poll(() => selectedProtocols(ada), { timeout: 20_000, message: 'Ada (open network) uses UDP' }).toEqual(['udp']);
    udpTimes.push(...(await connectMs(ada)));
    tcpTimes.push(...(await connectMs(bob)));
    await ada.close();
    await bob.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`tcp report: connect ms to the media server: udp ${JSON.stringify(udpTimes)} (median ${median(udpTimes)}), tcp ${JSON.stringify(tcpTimes)} (median ${median(tcpTimes)})`);
  expect(await server.metric('pulsemeet_media_tcp_connections_accepted_total')).toBeGreaterThanOrEqual(3);
});

test('a mesh room of two, one of them with UDP blocked and no TURN, ends up with video both ways', async () => {
  // SFU_MODE=auto, no TURN: the pair cannot connect directly (Bob has no UDP), a page reports
  // mesh-unreachable, and the room moves onto the media server, where Bob uses TCP.
  const mesh = await startServer({ env: { HOST: network.hostAddress, SFU_MODE: 'auto' } });
  try {
    const roomId = `e2e-tcp-mesh-${Date.now().toString(36)}`;
    const secureMesh = `--unsafely-treat-insecure-origin-as-secure=${mesh.baseURL}`;
    const openMesh = await launchChromium([secureMesh]);
    const blockedMesh = await launchChromium([secureMesh], network.chromiumPath);
    try {
      const ada = await joinCall(openMesh, mesh.baseURL, roomId, 'Ada mesh');
      const bob = await joinCall(blockedMesh, mesh.baseURL, roomId, 'Bob mesh');
      expect(await ada.page.evaluate(() => window.__pulsemeet.mediaTransport())).toBe('mesh');
      const started = Date.now();
      await expect.poll(() => ada.page.evaluate(() => window.__pulsemeet.mediaTransport()), { timeout: 60_000, message: 'the room moves onto the media server' }).toBe('sfu');
      await expectFramesRising(ada, await bob.peerId(), 40_000);
      await expectFramesRising(bob, await ada.peerId(), 40_000);
      await expect.poll(() => selectedProtocols(bob), { timeout: 20_000 }).toEqual(['tcp']);
      console.log(`tcp report: mesh pair unreachable -> media server with video both ways after ${Date.now() - started} ms from Bob's join`);
      expect(await mesh.metric('pulsemeet_rooms_moved_for_unreachable_peers_total')).toBe(1);
      expect(mesh.logs.some((l) => l.includes('"mesh pair unreachable"'))).toBe(true);
      await ada.close();
      await bob.close();
    } finally {
      await openMesh.close();
      await blockedMesh.close();
    }
  } finally {
    await mesh.stop();
  }
});
