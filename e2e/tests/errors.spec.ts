// What a person sees when joining cannot work: bad link, full room, no server.
import { expect, test } from '@playwright/test';
import { joinCall, openLobby, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer({ env: { MAX_PEERS_PER_ROOM: '2' } });
});

test.afterAll(async () => {
  await server?.stop();
});

test('an invalid room id in the URL shows a clear message', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  for (const bad of ['ab', 'has%20space', 'x'.repeat(65)]) {
    await page.goto(`/r/${bad}?test=1`);
    await expect(page.getByTestId('invalid-room-message')).toBeVisible();
    await expect(page.getByTestId('lobby')).toHaveCount(0);
  }
  await page.screenshot({ path: 'screenshots/invalid-room.png' });
  // The start page rejects a bad code too, and accepts a pasted link.
  await page.goto('/?test=1');
  await page.screenshot({ path: 'screenshots/home.png' });
  await page.getByTestId('join-input').fill('no');
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('home-error')).toBeVisible();
  await page.getByTestId('join-input').fill(`${server.baseURL}/r/pasted-link-room`);
  await page.getByTestId('join-button').click();
  await expect(page).toHaveURL(/\/r\/pasted-link-room/);
  await expect(page.getByTestId('lobby')).toBeVisible();
  await page.goto('/?test=1');
  await page.getByTestId('create-room').click();
  // A new room's id: 60 random bits, three groups of four Crockford base32 characters.
  await expect(page).toHaveURL(/\/r\/[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}(\?|$)/);
  await context.close();
});

test('a third person in a room limited to two sees "room is full" and no reconnect loop', async ({ browser }) => {
  const roomId = 'e2e-full-room';
  const people: Participant[] = [];
  try {
    people.push(await joinCall(browser, server.baseURL, roomId, 'One'));
    people.push(await joinCall(browser, server.baseURL, roomId, 'Two'));
    const third = await openLobby(browser, server.baseURL, roomId, 'Three');
    people.push(third);
    await third.page.getByTestId('join-call').click();
    await expect(third.page.getByTestId('room-full-message')).toBeVisible();
    await expect(third.page.getByTestId('call')).toHaveCount(0);
    const total = await server.metric('pulsemeet_websocket_connections_total');
    // Give a reconnect loop every chance to show itself: the socket must stay closed.
    await expect.poll(() => third.page.evaluate(() => window.__pulsemeet.socketState())).toBe('closed');
    await third.page.waitForTimeout(3_000);
    expect(await server.metric('pulsemeet_websocket_connections_total')).toBe(total);
    await third.page.screenshot({ path: 'screenshots/room-full.png' });
  } finally {
    for (const p of people) await p.close();
  }
});

test('when the server cannot be reached the lobby says so and offers Retry', async ({ browser }) => {
  const own = await startServer();
  const p = await openLobby(browser, own.baseURL, 'e2e-unreachable', 'Lonely');
  await own.kill();
  await p.page.getByTestId('join-call').click();
  await expect(p.page.getByTestId('server-unreachable-message')).toBeVisible();
  await p.close();
});
