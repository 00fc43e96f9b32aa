// A remote camera that is "on" but brings no picture: the tile shows the person's initials, not a
// black rectangle. The original article's client turns its camera off by disabling the track
// (`enabled = false`) and tells nobody; Chromium then keeps sending black frames at the full rate
// and the track is not muted, so the tile reads the picture itself (web/src/rtc/videoActivity.ts).
import { expect, test } from '@playwright/test';
import { expectFramesRising, expectMediaFrom, joinCall, tileOf, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
const people: Participant[] = [];

test.beforeAll(async () => {
  server = await startServer();
});

test.afterAll(async () => {
  for (const p of people) await p.close().catch(() => undefined);
  await server?.stop();
});

test('a camera disabled without media-state shows the initials on the other side, and its picture again once enabled', async ({ browser }) => {
  const roomId = `e2e-no-picture-${Date.now().toString(36)}`;
  const ada = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  people.push(ada);
  const bob = await joinCall(browser, server.baseURL, roomId, 'Bob Builder');
  people.push(bob);
  await expectMediaFrom(bob, ada);
  const adaId = await ada.peerId();
  const adaTile = tileOf(bob.page, adaId);
  await expect(adaTile.getByTestId('tile-no-picture')).toHaveCount(0);

  // What the original client does for "camera off": disable the track, send nothing.
  const setCamera = (enabled: boolean) =>
    ada.page.evaluate((on) => {
      for (const pc of Object.values(window.__pulsemeet.peerConnections()) as RTCPeerConnection[]) {
        const track = pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
        if (track) track.enabled = on;
      }
    }, enabled);
  await setCamera(false);
  await expect(adaTile.getByTestId('tile-no-picture')).toBeVisible();
  await expect(adaTile.getByTestId('tile-no-picture')).toHaveText('AL');
  // Nobody said the camera is off: not the camera-off state, and black frames still arrive.
  await expect(adaTile.getByTestId('tile-camera-off')).toHaveCount(0);
  await expectFramesRising(bob, adaId);

  await setCamera(true);
  await expect(adaTile.getByTestId('tile-no-picture')).toHaveCount(0);

  // Our own camera-off does the same to the track (no renegotiation: frames, black, keep
  // flowing), and says so in media-state: the camera-off state, not "no picture".
  await ada.page.locator('body').press('v');
  await expect(adaTile.getByTestId('tile-camera-off')).toBeVisible();
  await expect(adaTile.getByTestId('tile-no-picture')).toHaveCount(0);
  expect(
    await ada.page.evaluate(() =>
      (Object.values(window.__pulsemeet.peerConnections()) as RTCPeerConnection[]).map((pc) => {
        const track = pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
        return track ? { enabled: track.enabled, readyState: track.readyState } : null;
      }),
    ),
  ).toEqual([{ enabled: false, readyState: 'live' }]);
  await expectFramesRising(bob, adaId);
  await ada.page.locator('body').press('v');
  await expect(adaTile.getByTestId('tile-camera-off')).toHaveCount(0);
});
