// TURN relay and access control against a real coturn (use-auth-secret) and the real server:
// relay-only calls really go through the relay, a relay refusing our credentials is reported,
// and room tokens travel from the link into the socket.
import { expect, test, type Page } from '@playwright/test';
import { startCoturn, type RunningTurn } from '../helpers/coturn';
import { expectFramesRising, joinCall, openLobby, remoteTiles, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';
import { expiredToken, mintWithCli } from '../helpers/tokens';

test.describe.configure({ mode: 'serial' });
// Two pages, two joins and (in the second test) the client's 20 s connect deadline on a loaded
// 2-core machine: more than the default 90 s can be needed.
test.setTimeout(180_000);

const TURN_SECRET = 'e2e-turn-secret';
const JWT_SECRET = 'e2e-jwt-secret';
let turn: RunningTurn;
const servers: RunningServer[] = [];
const people: Participant[] = [];

test.beforeAll(async () => {
  turn = await startCoturn(TURN_SECRET);
});

test.afterEach(async () => {
  for (const p of people.splice(0)) await p.close().catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop();
});

test.afterAll(async () => {
  await turn?.stop();
});

async function serverWithTurn(turnSecret: string, turnTtlSeconds = 600): Promise<RunningServer> {
  const server = await startServer({
    env: { TURN_ENABLED: 'true', TURN_URLS: turn.url, TURN_SECRET: turnSecret, TURN_TTL_SECONDS: String(turnTtlSeconds), JWT_SECRET },
  });
  servers.push(server);
  return server;
}

/** The selected candidate pair of the connection to `remoteId`: local and remote candidate types. */
async function selectedPair(page: Page, remoteId: string): Promise<{ local: string; remote: string; policy: string } | null> {
  const pair = await selectedPairDetail(page, remoteId);
  return pair && { local: pair.local, remote: pair.remote, policy: pair.policy };
}

/** As selectedPair, plus the local candidate's address:port (a relay allocation) and the connection state. */
async function selectedPairDetail(page: Page, remoteId: string): Promise<{ local: string; remote: string; policy: string; localAddress: string; state: string } | null> {
  return page.evaluate(async (id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    if (!pc) return null;
    const report = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown> & { id: string }) => byId.set(s.id, s));
    for (const s of byId.values()) {
      if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
      const pair = byId.get(s.selectedCandidatePairId);
      if (!pair) continue;
      const local = byId.get(pair.localCandidateId as string);
      const remote = byId.get(pair.remoteCandidateId as string);
      return {
        local: String(local?.candidateType),
        remote: String(remote?.candidateType),
        policy: pc.getConfiguration().iceTransportPolicy ?? '',
        localAddress: `${String(local?.address)}:${String(local?.port)}`,
        state: pc.connectionState,
      };
    }
    return null;
  }, remoteId);
}

test('two people in relay-only mode connect through coturn, and video flows over the relay', async ({ browser }) => {
  const server = await serverWithTurn(TURN_SECRET);
  const roomId = `e2e-relay-${Date.now().toString(36)}`;
  const a = await joinCall(browser, server.baseURL, roomId, 'Ada Relay', `relay=1&token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(a);
  const b = await joinCall(browser, server.baseURL, roomId, 'Bob Relay', `relay=1&token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(b);
  const [aId, bId] = [await a.peerId(), await b.peerId()];
  for (const [viewer, remoteId] of [
    [a, bId],
    [b, aId],
  ] as const) {
    await expect.poll(() => selectedPair(viewer.page, remoteId), { timeout: 30_000, message: `${viewer.name}'s selected pair` }).toEqual({ local: 'relay', remote: 'relay', policy: 'relay' });
    await expectFramesRising(viewer, remoteId, 30_000);
  }
  await expect(a.page.getByTestId('peer-connect-issue')).toHaveCount(0);
});

/** The earliest expiry (Unix seconds) of the TURN REST usernames the connection to `remoteId` is configured with. */
async function turnExpiry(page: Page, remoteId: string): Promise<number | null> {
  return page.evaluate((id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    const expiries = (pc?.getConfiguration().iceServers ?? []).flatMap((s) => (/^\d+:/.test(s.username ?? '') ? [Number((s.username ?? '').split(':')[0])] : []));
    return expiries.length ? Math.min(...expiries) : null;
  }, remoteId);
}

test('a relayed call renews its TURN credentials before they expire and keeps flowing over a new relay allocation', async ({ browser }) => {
  // 60 s credentials (the server's minimum): the clients fetch new ones about 30 s after joining.
  const server = await serverWithTurn(TURN_SECRET, 60);
  const roomId = `e2e-relay-renew-${Date.now().toString(36)}`;
  const a = await joinCall(browser, server.baseURL, roomId, 'Ada Renew', `relay=1&token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(a);
  const b = await joinCall(browser, server.baseURL, roomId, 'Bob Renew', `relay=1&token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(b);
  const links = [
    [a, await b.peerId()],
    [b, await a.peerId()],
  ] as const;
  const before = new Map<Participant, { expiry: number | null; localAddress: string }>();
  for (const [viewer, remoteId] of links) {
    await expect.poll(() => selectedPair(viewer.page, remoteId), { timeout: 30_000, message: `${viewer.name}'s selected pair` }).toEqual({ local: 'relay', remote: 'relay', policy: 'relay' });
    const expiry = await turnExpiry(viewer.page, remoteId);
    expect(expiry, `${viewer.name}'s TURN username carries an expiry`).not.toBeNull();
    expect(await viewer.page.evaluate(() => window.__pulsemeet.iceRefreshes())).toBe(0);
    before.set(viewer, { expiry, localAddress: (await selectedPairDetail(viewer.page, remoteId))?.localAddress ?? '' });
  }
  for (const [viewer] of links) {
    await expect.poll(() => viewer.page.evaluate(() => window.__pulsemeet.iceRefreshes()), { timeout: 60_000, message: `${viewer.name} renewed its TURN credentials` }).toBeGreaterThanOrEqual(1);
  }
  for (const [viewer, remoteId] of links) {
    const old = before.get(viewer);
    expect(await turnExpiry(viewer.page, remoteId), `${viewer.name}'s connection uses the renewed credentials`).toBeGreaterThan(old?.expiry ?? Infinity);
    // The ICE restart moved the call onto a new relay allocation (made with the new credentials).
    await expect
      .poll(async () => {
        const pair = await selectedPairDetail(viewer.page, remoteId);
        return pair && { local: pair.local, remote: pair.remote, state: pair.state, newAllocation: pair.localAddress !== old?.localAddress };
      }, { timeout: 30_000, message: `${viewer.name}'s call after the renewal` })
      .toEqual({ local: 'relay', remote: 'relay', state: 'connected', newAllocation: true });
    await expectFramesRising(viewer, remoteId, 20_000);
  }
});

test('with the wrong TURN secret on the server the relay-only call does not connect and says why', async ({ browser }) => {
  const server = await serverWithTurn('not-the-coturn-secret');
  const roomId = `e2e-relay-bad-${Date.now().toString(36)}`;
  const a = await joinCall(browser, server.baseURL, roomId, 'Ada Stuck', `relay=1&token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(a);
  const b = await joinCall(browser, server.baseURL, roomId, 'Bob Stuck', `relay=1&token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(b);
  for (const [viewer, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const issue = viewer.page.getByTestId('peer-connect-issue');
    await expect(issue).toBeVisible({ timeout: 45_000 });
    await expect(issue).toHaveAttribute('data-kind', 'turn-unreachable');
    await expect(issue).toContainText(`Can’t connect to ${other.name}`);
    await expect(issue.getByTestId('peer-retry-button')).toBeVisible();
    expect((await selectedPair(viewer.page, await other.peerId()))?.local ?? 'none').not.toBe('relay');
  }
  await a.page.screenshot({ path: 'screenshots/relay-unreachable.png' });
});

test('an expired room token is explained in the lobby, not retried forever', async ({ browser }) => {
  const server = await serverWithTurn(TURN_SECRET);
  const roomId = `e2e-token-${Date.now().toString(36)}`;
  const p = await openLobby(browser, server.baseURL, roomId, 'Late Larry', `token=${expiredToken(JWT_SECRET, roomId)}`);
  people.push(p);
  await p.page.getByTestId('join-call').click();
  const message = p.page.getByTestId('access-denied-message');
  await expect(message).toBeVisible({ timeout: 20_000 });
  await expect(message).toHaveAttribute('data-code', 'token-expired');
  await expect(message).toContainText('expired');
});

/** Clicks "Copy invite link" and returns what it put on the clipboard. */
async function copyInvite(p: Participant, origin: string): Promise<URL> {
  await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await p.page.getByTestId('copy-link').click();
  await expect(p.page.getByTestId('copy-link')).toHaveAttribute('aria-label', 'Link copied');
  return new URL(await p.page.evaluate(() => navigator.clipboard.readText()));
}

test('the copied invite link carries a room token and lets the invitee in; a token naming its holder stays behind', async ({ browser }) => {
  const server = await serverWithTurn(TURN_SECRET);
  const roomId = `e2e-invite-${Date.now().toString(36)}`;
  const host = await joinCall(browser, server.baseURL, roomId, 'Ada Host', `token=${mintWithCli(JWT_SECRET, roomId)}`);
  people.push(host);
  const invite = await copyInvite(host, server.baseURL);
  expect(invite.pathname).toBe(`/r/${roomId}`);
  expect(invite.searchParams.get('token')).toBeTruthy();
  expect(invite.searchParams.has('relay')).toBe(false);
  // The invitee opens exactly that link (plus the test hook) and is let in.
  const guest = await joinCall(browser, server.baseURL, roomId, 'Bob Guest', invite.search.slice(1));
  people.push(guest);
  await expect(remoteTiles(guest.page)).toHaveCount(1);
  await expect(remoteTiles(host.page)).toHaveCount(1);

  const named = await joinCall(browser, server.baseURL, roomId, 'Carol', `token=${mintWithCli(JWT_SECRET, roomId, 'Carol')}`);
  people.push(named);
  const bare = await copyInvite(named, server.baseURL);
  expect(bare.pathname).toBe(`/r/${roomId}`);
  expect(bare.searchParams.has('token')).toBe(false);
  await expect(named.page.getByTestId('notice')).toContainText('needs their own invitation link');
});
