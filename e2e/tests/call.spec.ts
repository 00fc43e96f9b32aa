// The everyday call: join, see and hear each other, a third person, mute, switch camera, leave.
import { expect, test } from '@playwright/test';
import { expectFramesRising, expectMediaFrom, joinCall, openLobby, remoteTiles, tileOf, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test.describe.configure({ mode: 'serial' });

let server: RunningServer;
const people: Participant[] = [];
const roomId = `e2e-call-${Date.now().toString(36)}`;

test.beforeAll(async () => {
  server = await startServer();
});

test.afterAll(async () => {
  for (const p of people) await p.close().catch(() => undefined);
  await server?.stop();
});

test('the lobby shows a live preview, pickers and the join button', async ({ browser }) => {
  const p = await openLobby(browser, server.baseURL, roomId, 'Lobby Visitor');
  await expect(p.page.getByTestId('preview-video')).toHaveJSProperty('readyState', 4);
  expect(await p.page.getByTestId('preview-video').evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBeGreaterThan(0);
  await expect(p.page.getByTestId('camera-select').locator('option')).toHaveCount(3);
  await expect(p.page.getByTestId('join-call')).toBeEnabled();
  await p.page.screenshot({ path: 'screenshots/lobby.png' });
  await p.close();
});

test('two people join through the UI and each sees and hears the other', async ({ browser }) => {
  const a = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  people.push(a);
  const b = await joinCall(browser, server.baseURL, roomId, 'Bob Builder');
  people.push(b);
  await expectMediaFrom(a, b);
  await expectMediaFrom(b, a);
  await expect(tileOf(a.page, await b.peerId()).getByTestId('tile-name')).toHaveText('Bob Builder');
  await expect(tileOf(b.page, await a.peerId()).getByTestId('tile-name')).toHaveText('Ada Lovelace');
  // How a phone-sized window lays out a two-person call.
  await b.page.setViewportSize({ width: 390, height: 844 });
  await b.page.screenshot({ path: 'screenshots/call-2-phone.png' });
  await b.page.setViewportSize({ width: 1280, height: 800 });
});

test('a third person joins and everyone sees two remote tiles with media', async ({ browser }) => {
  const [a, b] = people as [Participant, Participant];
  const c = await joinCall(browser, server.baseURL, roomId, 'Cleo Park');
  people.push(c);
  for (const p of [a, b, c]) await expect(remoteTiles(p.page)).toHaveCount(2);
  await expectMediaFrom(c, a);
  await expectMediaFrom(c, b);
  await expectMediaFrom(a, c);
  await expectMediaFrom(b, c);
  // Quality panel fills in from getStats.
  await c.page.getByTestId('toggle-stats').click();
  await expect(c.page.getByTestId('quality-card')).toHaveCount(2);
  await expect(c.page.getByTestId('stat-resolution').first()).not.toHaveText('—');
  await expect(c.page.locator('[data-testid="quality-card"][data-level="good"]').first()).toBeVisible();
  await c.page.screenshot({ path: 'screenshots/call-3.png' });
  await c.page.getByTestId('toggle-stats').click();
});

test('mic toggle keeps the same WebSocket and the others see the muted mark', async () => {
  const [a, b, c] = people as [Participant, Participant, Participant];
  const totalBefore = await server.metric('pulsemeet_websocket_connections_total');
  const openBefore = await server.metric('pulsemeet_websocket_connections');
  const aId = await a.peerId();
  await expect(tileOf(b.page, aId).getByTestId('tile-muted')).toHaveCount(0);

  await a.page.getByTestId('toggle-mic').click();
  await expect(tileOf(b.page, aId).getByTestId('tile-muted')).toBeVisible();
  await expect(tileOf(c.page, aId).getByTestId('tile-muted')).toBeVisible();
  await expect(a.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');

  // Keyboard shortcut M unmutes again.
  await a.page.locator('body').press('m');
  await expect(tileOf(b.page, aId).getByTestId('tile-muted')).toHaveCount(0);
  // Camera off via V shows the camera-off mark, and back on.
  await a.page.locator('body').press('v');
  await expect(tileOf(b.page, aId).getByTestId('tile-camera-off')).toBeVisible();
  await a.page.locator('body').press('v');
  await expect(tileOf(b.page, aId).getByTestId('tile-camera-off')).toHaveCount(0);

  expect(await server.metric('pulsemeet_websocket_connections_total')).toBe(totalBefore);
  expect(await server.metric('pulsemeet_websocket_connections')).toBe(openBefore);
  expect(await a.page.evaluate(() => window.__pulsemeet.socketState())).toBe('open');
  // A newcomer sees existing mute marks straight from room-joined.
  await a.page.getByTestId('toggle-mic').click();
  await expect(tileOf(b.page, aId).getByTestId('tile-muted')).toBeVisible();
});

test('switching camera mid-call keeps the call and the frames flowing', async () => {
  const [a, b] = people as [Participant, Participant];
  const aId = await a.peerId();
  const pcsBefore = await a.page.evaluate(() => Object.keys(window.__pulsemeet.peerConnections()).sort());
  const totalBefore = await server.metric('pulsemeet_websocket_connections_total');
  const select = a.page.getByTestId('camera-select');
  await a.page.getByTestId('open-settings').click();
  const current = await select.inputValue();
  // fake_device_2 (see playwright.config.ts for why not fake_device_1).
  const other = await select.locator('option').evaluateAll(
    (opts, cur) => (opts as HTMLOptionElement[]).find((o) => o.value !== cur && o.textContent === 'fake_device_2')?.value ?? '',
    current,
  );
  expect(other).not.toBe('');
  await select.selectOption(other);
  await expect(select).toHaveValue(other);
  await a.page.getByTestId('close-settings').click();
  // Same connections (replaceTrack, no renegotiation into new PCs), frames still rising at B.
  await expectFramesRising(b, aId);
  await expect.poll(() => a.page.evaluate(() => Object.keys(window.__pulsemeet.peerConnections()).sort())).toEqual(pcsBefore);
  const settingsDevice = await a.page.evaluate(() => {
    const pc = Object.values(window.__pulsemeet.peerConnections())[0] as RTCPeerConnection;
    const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
    return sender?.track?.getSettings().deviceId ?? '';
  });
  expect(settingsDevice).toBe(other);
  expect(await server.metric('pulsemeet_websocket_connections_total')).toBe(totalBefore);
});

test('a camera that disappears mid-call is replaced by another and the user is told', async () => {
  const [a, b] = people as [Participant, Participant];
  const aId = await a.peerId();
  const lostDevice = await a.page.evaluate(() => {
    const pc = Object.values(window.__pulsemeet.peerConnections())[0] as RTCPeerConnection;
    const track = pc.getSenders().find((s) => s.track?.kind === 'video')!.track!;
    // What the browser does when a camera is unplugged: the track ends on its own.
    track.stop();
    track.dispatchEvent(new Event('ended'));
    return track.getSettings().deviceId ?? '';
  });
  await expect(a.page.getByTestId('notice')).toContainText('disconnected — switched to');
  await expect
    .poll(() =>
      a.page.evaluate(() => {
        const pc = Object.values(window.__pulsemeet.peerConnections())[0] as RTCPeerConnection;
        const t = pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
        return t && t.readyState === 'live' ? (t.getSettings().deviceId ?? '') : '';
      }),
    )
    .not.toMatch(new RegExp(`^(${lostDevice})?$`));
  await expectFramesRising(b, aId);
});

test('one person leaves and their tile goes away for the others', async () => {
  const [a, b, c] = people as [Participant, Participant, Participant];
  const cId = await c.peerId();
  await c.page.getByTestId('leave').click();
  await expect(c.page.getByTestId('left-message')).toBeVisible();
  await expect(tileOf(a.page, cId)).toHaveCount(0);
  await expect(tileOf(b.page, cId)).toHaveCount(0);
  await expect(remoteTiles(a.page)).toHaveCount(1);
  await expect(remoteTiles(b.page)).toHaveCount(1);
  // The remaining two still talk.
  await expectFramesRising(a, await b.peerId());
});

test('a newcomer sees the mute mark of someone who muted before they arrived', async ({ browser }) => {
  const [a] = people as [Participant];
  const aId = await a.peerId();
  await expect(a.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true'); // muted earlier
  const d = await joinCall(browser, server.baseURL, roomId, 'Dana Late');
  people.push(d);
  await expect(tileOf(d.page, aId).getByTestId('tile-muted')).toBeVisible();
  await expectMediaFrom(d, a);
});
