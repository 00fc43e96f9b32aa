// Lobby and call behaviour when the browser refuses the camera, or there is none.
import { expect, test, type Browser } from '@playwright/test';
import { inbound, joinCall, tileOf, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

/** A context whose getUserMedia fails the way a real browser does in that situation. */
async function contextWith(browser: Browser, failure: 'denied' | 'no-camera') {
  const context = await browser.newContext({ baseURL: server.baseURL });
  await context.addInitScript((mode) => {
    const md = navigator.mediaDevices;
    const realGum = md.getUserMedia.bind(md);
    const realEnum = md.enumerateDevices.bind(md);
    md.getUserMedia = async (c?: MediaStreamConstraints) => {
      if (mode === 'denied') throw new DOMException('Permission denied', 'NotAllowedError');
      if (c?.video) throw new DOMException('Requested device not found', 'NotFoundError');
      return realGum(c);
    };
    md.enumerateDevices = async () => (await realEnum()).filter((d) => mode !== 'no-camera' || d.kind !== 'videoinput');
  }, failure);
  return context;
}

test('permission denied shows how to fix it', async ({ browser }) => {
  const context = await contextWith(browser, 'denied');
  const page = await context.newPage();
  await page.goto('/r/e2e-denied?test=1');
  await expect(page.locator('[data-testid="media-problem"][data-problem="permission-denied"]')).toContainText('blocked');
  await expect(page.getByTestId('join-call')).toHaveText('Join without camera and mic');
  await context.close();
});

test('without a camera you can join with audio only; others see camera-off and hear you', async ({ browser }) => {
  const roomId = 'e2e-no-camera';
  const people: Participant[] = [];
  try {
    const a = await joinCall(browser, server.baseURL, roomId, 'Has Camera');
    people.push(a);
    const context = await contextWith(browser, 'no-camera');
    const page = await context.newPage();
    await page.goto(`/r/${roomId}?test=1`);
    await expect(page.locator('[data-testid="media-problem"][data-problem="no-camera"]')).toContainText('audio only');
    await expect(page.getByTestId('camera-select')).toBeDisabled();
    await page.getByTestId('name-input').fill('Audio Only');
    await page.getByTestId('join-call').click();
    await expect(page.getByTestId('call')).toBeVisible();
    const bId = await page.evaluate(() => window.__pulsemeet.peerId() ?? '');
    const b: Participant = { name: 'Audio Only', context, page, peerId: async () => bId, close: () => context.close() };
    people.push(b);
    await expect(tileOf(a.page, bId).getByTestId('tile-camera-off')).toBeVisible();
    await expect.poll(async () => (await inbound(a.page, bId))?.audioPackets ?? 0).toBeGreaterThan(0);
    // And the audio-only person still sees the other one.
    const aId = await a.peerId();
    await expect.poll(async () => (await inbound(b.page, aId))?.framesDecoded ?? 0).toBeGreaterThan(0);
  } finally {
    for (const p of people) await p.close();
  }
});
