// Seamless resume: the server crashes and comes back with the same SESSION_SECRET mid-call, and
// nobody notices but the reconnect banner; a network drop longer than the grace period does end
// the place (and its resume token).
import { expect, test, type Page } from '@playwright/test';
import { expectFramesRising, expectMediaFrom, joinCall, remoteTiles, tileOf, type Participant } from '../helpers/participant';
import { startCuttableLink, type CuttableLink } from '../helpers/proxy';
import { startServer, type RunningServer } from '../helpers/server';

const SESSION_SECRET = 'e2e-session-secret-7b3f0c2a9d1e4f5a';

/** Tags the RTCPeerConnection to `remoteId`, so a later check can prove it is the same object. */
async function tagConnection(page: Page, remoteId: string): Promise<void> {
  await page.evaluate((id) => {
    (window.__pulsemeet.peerConnections()[id] as { __tag?: string }).__tag = 'before';
  }, remoteId);
}

async function sameConnection(page: Page, remoteId: string): Promise<boolean> {
  return page.evaluate((id) => (window.__pulsemeet.peerConnections()[id] as { __tag?: string } | undefined)?.__tag === 'before', remoteId);
}

async function roster(page: Page) {
  return page.evaluate(() => window.__pulsemeet.roster());
}

test('a server SIGKILL and restart with the same SESSION_SECRET is invisible to the call', async ({ browser }) => {
  test.setTimeout(180_000);
  const env = { SESSION_SECRET };
  let server: RunningServer = await startServer({ env });
  const people: Participant[] = [];
  const roomId = 'e2e-restart-room';
  try {
    const a = await joinCall(browser, server.baseURL, roomId, 'Ada');
    people.push(a);
    const b = await joinCall(browser, server.baseURL, roomId, 'Bob');
    people.push(b);
    await expectMediaFrom(a, b);
    await expectMediaFrom(b, a);
    const aId = await a.peerId();
    const bId = await b.peerId();
    await tagConnection(a.page, bId);
    await tagConnection(b.page, aId);
    const rosterBefore = { a: await roster(a.page), b: await roster(b.page) };

    const port = server.port;
    await server.kill();
    await expect.poll(() => a.page.evaluate(() => window.__pulsemeet.socketState())).toBe('reconnecting');
    await expect(a.page.getByTestId('connection-banner')).toBeVisible();
    await a.page.screenshot({ path: 'screenshots/reconnecting.png' });
    // Media that was flowing keeps flowing while the signaling server is gone.
    await expectFramesRising(a, bId);
    await expectFramesRising(b, aId);

    server = await startServer({ port, env });
    for (const p of [a, b]) {
      await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.phase()), { timeout: 30_000 }).toBe('joined');
      await expect(p.page.getByTestId('connection-banner')).toHaveCount(0);
    }
    await expect.poll(() => server.metric('pulsemeet_resumes_total'), { timeout: 20_000 }).toBe(2);
    // Same ids, same peer connections, frames still rising, and neither page showed a leave or a join.
    expect(await a.peerId()).toBe(aId);
    expect(await b.peerId()).toBe(bId);
    expect(await sameConnection(a.page, bId)).toBe(true);
    expect(await sameConnection(b.page, aId)).toBe(true);
    await expectFramesRising(a, bId);
    await expectFramesRising(b, aId);
    expect(await roster(a.page)).toEqual(rosterBefore.a);
    expect(await roster(b.page)).toEqual(rosterBefore.b);
    await expect(tileOf(a.page, bId)).toBeVisible();
    await expect(tileOf(b.page, aId)).toBeVisible();

    // The rebuilt room takes newcomers: Cleo joins and gets video from both, and they from her.
    const c = await joinCall(browser, server.baseURL, roomId, 'Cleo');
    people.push(c);
    await expect(remoteTiles(c.page)).toHaveCount(2);
    await expectMediaFrom(c, a);
    await expectMediaFrom(c, b);
    await expectMediaFrom(a, c);
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});

test('a 60 s outage: past the last quick attempt both pages keep trying and return to Connected without a click, and no tile disappears', async ({ browser }) => {
  test.setTimeout(240_000);
  const env = { SESSION_SECRET };
  let server: RunningServer = await startServer({ env });
  const people: Participant[] = [];
  const roomId = 'e2e-outage-room';
  try {
    const a = await joinCall(browser, server.baseURL, roomId, 'Ada');
    people.push(a);
    const b = await joinCall(browser, server.baseURL, roomId, 'Bob');
    people.push(b);
    await expectMediaFrom(a, b);
    await expectMediaFrom(b, a);
    const aId = await a.peerId();
    const bId = await b.peerId();
    const rosterBefore = { a: await roster(a.page), b: await roster(b.page) };

    const port = server.port;
    await server.kill();
    const downAt = Date.now();
    // The quick attempts (about 35 s) run out: the pages say Offline and offer Retry...
    for (const p of [a, b]) {
      await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.socketState()), { timeout: 55_000 }).toBe('failed');
      await expect(p.page.getByTestId('retry-button')).toBeVisible();
    }
    // ...and media keeps flowing, with both tiles in place, for the whole outage.
    await expect(tileOf(a.page, bId)).toBeVisible();
    await expect(tileOf(b.page, aId)).toBeVisible();
    await expectFramesRising(a, bId);
    await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - downAt)))); // the outage itself: 60 s down

    server = await startServer({ port, env });
    // Nobody clicks Retry: the background attempts (at most 30 s apart) find the server.
    for (const p of [a, b]) {
      await expect(p.page.getByTestId('socket-status')).toHaveText('Connected', { timeout: 45_000 });
      await expect(p.page.getByTestId('connection-banner')).toHaveCount(0);
    }
    expect(await a.peerId()).toBe(aId);
    expect(await b.peerId()).toBe(bId);
    await expect(tileOf(a.page, bId)).toBeVisible();
    await expect(tileOf(b.page, aId)).toBeVisible();
    // Neither page removed (or added) anyone at any moment.
    expect(await roster(a.page)).toEqual(rosterBefore.a);
    expect(await roster(b.page)).toEqual(rosterBefore.b);
    await expectFramesRising(a, bId);
    await expectFramesRising(b, aId);
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});

test('a network drop longer than the grace period ends the place with peer-left', async ({ browser }) => {
  test.setTimeout(90_000);
  const server = await startServer({ env: { RESUME_GRACE_SECONDS: '2', SESSION_SECRET } });
  const people: Participant[] = [];
  let link: CuttableLink | null = null;
  const roomId = 'e2e-grace-room';
  try {
    link = await startCuttableLink(server.port);
    const a = await joinCall(browser, server.baseURL, roomId, 'Ada');
    people.push(a);
    // Bob's page talks to the server through a link the test can cut.
    const b = await joinCall(browser, link.baseURL, roomId, 'Bob');
    people.push(b);
    await expectMediaFrom(a, b);
    const bId = await b.peerId();

    link.cut();
    await expect.poll(() => b.page.evaluate(() => window.__pulsemeet.socketState())).toBe('reconnecting');
    // After the grace period Ada is told Bob left, and his tile goes.
    await expect(tileOf(a.page, bId)).toHaveCount(0, { timeout: 20_000 });
    expect(await roster(a.page)).toContainEqual({ event: 'removed', peerId: bId });
    await expect.poll(() => server.metric('pulsemeet_peers')).toBe(1);

    // Back online: his place ended and its resume token with it, so Bob comes back as a
    // newcomer under a new id, and media flows again.
    link.restore();
    await expect.poll(() => b.page.evaluate(() => window.__pulsemeet.phase()), { timeout: 30_000 }).toBe('joined');
    await expect.poll(() => b.peerId(), { timeout: 30_000 }).not.toBe(bId);
    await expect.poll(() => server.metric('pulsemeet_resumes_refused_total')).toBe(1);
    await expectMediaFrom(a, b);
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await link?.close();
    await server.stop();
  }
});
