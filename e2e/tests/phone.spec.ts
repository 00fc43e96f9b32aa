// The call on a phone (390x844, touch, Playwright's device emulation) and in narrow windows: the
// controls that matter are on screen and work by tapping, panels open as full-screen sheets, a
// shared screen sits on top at full width, and no control is ever outside the viewport.
import { expect, test, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { expectMediaFrom, joinCall, tileOf, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test.describe.configure({ mode: 'serial' });

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

let server: RunningServer;
const people: Participant[] = [];

test.beforeAll(async () => {
  server = await startServer();
});

test.afterAll(async () => {
  for (const p of people) await p.close().catch(() => undefined);
  await server?.stop();
});

/** Every visible control of the call page whose box is not wholly inside the viewport. */
async function controlsOutsideViewport(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = window.innerWidth;
    const h = window.innerHeight;
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not rendered (display: none)
      if (r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5) {
        out.push(`${el.dataset.testid ?? el.getAttribute('aria-label') ?? el.tagName} at x=${Math.round(r.left)}..${Math.round(r.right)} y=${Math.round(r.top)}..${Math.round(r.bottom)} in ${w}x${h}`);
      }
    }
    return out;
  });
}

/**
 * Lobby -> Join by tapping, on a phone browser without screen capture (Chrome on Android has no
 * getDisplayMedia).
 */
async function joinOnPhone(browser: Browser, roomId: string, name: string): Promise<Participant> {
  const context = await browser.newContext({ ...PHONE, baseURL: server.baseURL });
  await context.addInitScript(() => {
    delete (MediaDevices.prototype as { getDisplayMedia?: unknown }).getDisplayMedia;
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error: ${err.message}`));
  await page.goto(`/r/${roomId}?test=1`);
  await page.getByTestId('name-input').fill(name);
  await expect(page.getByTestId('preview-video')).toHaveJSProperty('readyState', 4, { timeout: 20_000 });
  await page.getByTestId('join-call').tap();
  await expect(page.getByTestId('call')).toBeVisible();
  const peerId = () => page.evaluate(() => window.__pulsemeet.peerId() ?? '');
  await expect.poll(peerId, { timeout: 20_000 }).not.toBe('');
  return { name, context, page, peerId, close: () => context.close() };
}

test('on a 390x844 touch phone, tapping Mute, Camera, Chat and Leave does what each says', async ({ browser }) => {
  const roomId = `e2e-phone-${Date.now().toString(36)}`;
  const bob = await joinCall(browser, server.baseURL, roomId, 'Bob Builder');
  people.push(bob);
  const ada = await joinOnPhone(browser, roomId, 'Ada Lovelace');
  people.push(ada);
  await expectMediaFrom(bob, ada);
  const page = ada.page;
  const adaId = await ada.peerId();
  expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);

  // The toolbar: Mute, Camera, Chat, More and Leave, all on screen.
  for (const id of ['toggle-mic', 'toggle-camera', 'toggle-chat', 'more-menu', 'leave']) await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
  expect(await controlsOutsideViewport(page)).toEqual([]);
  await expect(page.getByTestId('shortcut-hint')).toBeHidden(); // no keyboard on a phone
  await page.screenshot({ path: 'screenshots/phone-call.png' });

  // Mute: the button says so, and Bob sees Ada's microphone off.
  await page.getByTestId('toggle-mic').tap();
  await expect(page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');
  await expect(tileOf(bob.page, adaId).getByTestId('tile-muted')).toBeVisible();
  await page.getByTestId('toggle-mic').tap();
  await expect(tileOf(bob.page, adaId).getByTestId('tile-muted')).toHaveCount(0);

  // Camera: off at Ada's and at Bob's.
  await page.getByTestId('toggle-camera').tap();
  await expect(page.getByTestId('toggle-camera')).toHaveAttribute('aria-pressed', 'true');
  await expect(tileOf(bob.page, adaId).getByTestId('tile-camera-off')).toBeVisible();
  await page.getByTestId('toggle-camera').tap();
  await expect(tileOf(bob.page, adaId).getByTestId('tile-camera-off')).toHaveCount(0);

  // Chat: a full-screen sheet with a close button; what Ada sends reaches Bob; closing it
  // gives the call back.
  await page.getByTestId('toggle-chat').tap();
  const sheet = page.getByTestId('chat-panel');
  await expect(sheet).toHaveAttribute('data-sheet', 'true');
  expect(await sheet.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
  await expect(page.getByTestId('close-chat')).toBeInViewport({ ratio: 1 });
  expect(await controlsOutsideViewport(page)).toEqual([]);
  await page.getByTestId('chat-input').fill('hello from a phone');
  await page.getByTestId('chat-send').tap();
  await expect(bob.page.getByTestId('chat-unread')).toHaveText('1');
  await bob.page.getByTestId('toggle-chat').click();
  await expect(bob.page.getByTestId('chat-text')).toHaveText(['hello from a phone']);
  await bob.page.getByTestId('toggle-chat').click();
  await page.screenshot({ path: 'screenshots/phone-chat.png' });
  await page.getByTestId('close-chat').tap();
  await expect(sheet).toHaveCount(0);
  await expect(page.getByTestId('toggle-mic')).toBeInViewport({ ratio: 1 });

  // More: the rest of the controls, without screen share where the browser cannot capture.
  await page.getByTestId('more-menu').tap();
  const menu = page.getByTestId('more-menu-list');
  await expect(menu).toBeVisible();
  await expect(menu.getByTestId('toggle-hand')).toBeVisible();
  await expect(menu.getByTestId('toggle-screen')).toHaveCount(0);
  expect(await controlsOutsideViewport(page)).toEqual([]);
  await page.screenshot({ path: 'screenshots/phone-more.png' });
  // The quality panel is a sheet too.
  await menu.getByTestId('toggle-stats').tap();
  await expect(menu).toHaveCount(0);
  await expect(page.getByTestId('quality-panel')).toHaveAttribute('data-sheet', 'true');
  await page.getByTestId('close-quality').tap();
  await expect(page.getByTestId('quality-panel')).toHaveCount(0);

  // Leave: the call ends for Ada and her tile goes at Bob's.
  await page.getByTestId('leave').tap();
  await expect(page.getByTestId('call')).toHaveCount(0);
  await expect(tileOf(bob.page, adaId)).toHaveCount(0);
});

test('no control is outside the viewport at 320, 390, 768 and 1280 px', async ({ browser }) => {
  test.setTimeout(240_000); // six joins
  const roomId = `e2e-widths-${Date.now().toString(36)}`;
  const widths: Array<{ width: number; height: number; touch: boolean }> = [
    { width: 320, height: 568, touch: true },
    { width: 390, height: 844, touch: true },
    { width: 768, height: 1024, touch: true },
    { width: 768, height: 1024, touch: false },
    { width: 1280, height: 800, touch: false },
    // A large touch tablet: wide enough for the keyboard hint, but no keyboard.
    { width: 1366, height: 1024, touch: true },
  ];
  const host = await joinCall(browser, server.baseURL, roomId, 'Host With A Rather Long Name');
  people.push(host);
  for (const size of widths) {
    const p = await joinCall(browser, server.baseURL, roomId, `Guest ${size.width}`, '', {
      viewport: { width: size.width, height: size.height },
      hasTouch: size.touch,
      isMobile: size.touch && size.width < 768,
    });
    const label = `${size.width}x${size.height}${size.touch ? ' touch' : ''}`;
    await expect(p.page.locator('[data-testid="tile"][data-local="false"]')).toHaveCount(1);
    expect(await controlsOutsideViewport(p.page), label).toEqual([]);
    for (const id of ['toggle-mic', 'toggle-camera', 'toggle-chat', 'leave']) await expect(p.page.getByTestId(id), `${id} at ${label}`).toBeInViewport({ ratio: 1 });
    if (size.width === 320) await p.page.screenshot({ path: 'screenshots/phone-320.png' });
    if (size.width < 640) {
      await p.page.getByTestId('more-menu').click();
      await expect(p.page.getByTestId('more-menu-list')).toBeVisible();
      expect(await controlsOutsideViewport(p.page), `${label}, More open`).toEqual([]);
      await p.page.getByTestId('more-menu').click();
    }
    // The keyboard hint never covers a control, and is not shown on touch screens.
    const hint = p.page.getByTestId('shortcut-hint');
    if (size.touch) await expect(hint).toBeHidden();
    if (size.width === 1280) await expect(hint).toBeVisible();
    if (await hint.isVisible()) {
      const hintBox = (await hint.boundingBox())!;
      const leave = (await p.page.getByTestId('leave').boundingBox())!;
      expect(hintBox.x, `hint clear of Leave at ${label}`).toBeGreaterThan(leave.x + leave.width);
    }
    // Chat open: on narrow screens the sheet's controls are on screen too; on desktop the side
    // panel and the quality panel are never open together.
    await p.page.getByTestId('toggle-chat').click();
    await expect(p.page.getByTestId('chat-panel')).toBeVisible();
    expect(await controlsOutsideViewport(p.page), `${label}, chat open`).toEqual([]);
    if (size.width === 1280) await p.page.screenshot({ path: 'screenshots/desktop-chat.png' });
    if (size.width >= 640) {
      await p.page.getByTestId('toggle-stats').click();
      await expect(p.page.getByTestId('quality-panel')).toBeVisible();
      await expect(p.page.getByTestId('chat-panel')).toHaveCount(0);
      await p.page.getByTestId('toggle-chat').click();
      await expect(p.page.getByTestId('quality-panel')).toHaveCount(0);
    }
    await p.page.getByTestId('close-chat').click();
    await expect(p.page.getByTestId('chat-panel')).toHaveCount(0);
    if (size.width === 1280) await p.page.screenshot({ path: 'screenshots/desktop-call.png' });
    if (size.width === 768 && size.touch) await p.page.screenshot({ path: 'screenshots/tablet-call.png' });
    await p.close();
  }
});

test('screen share on a phone: the shared screen on top at full width, people below', async ({ browser }) => {
  const roomId = `e2e-phone-share-${Date.now().toString(36)}`;
  const presenter = await joinCall(browser, server.baseURL, roomId, 'Presenting Person');
  people.push(presenter);
  const phone = await joinCall(browser, server.baseURL, roomId, 'Phone Viewer', '', PHONE);
  people.push(phone);
  await expectMediaFrom(phone, presenter);
  await presenter.page.getByTestId('toggle-screen').click();
  const screen = phone.page.getByTestId('screen-tile');
  await expect(screen).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => screen.locator('video').evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
  const stage = (await phone.page.getByTestId('screen-stage').boundingBox())!;
  const grid = (await phone.page.getByTestId('tile-grid').boundingBox())!;
  // Full width (the page's 12 px side margins aside), and the people's tiles below it.
  expect(stage.width).toBeGreaterThan(390 - 2 * 12 - 1);
  expect(grid.y).toBeGreaterThanOrEqual(stage.y + stage.height);
  for (const tile of await phone.page.getByTestId('tile').all()) {
    const box = (await tile.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(stage.y + stage.height);
    expect(box.height).toBeGreaterThan(100);
  }
  // The label stays on one line.
  const name = screen.getByTestId('screen-name');
  const lineHeight = await name.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  expect((await name.boundingBox())!.height).toBeLessThanOrEqual(lineHeight + 1);
  expect(await controlsOutsideViewport(phone.page)).toEqual([]);
  await phone.page.screenshot({ path: 'screenshots/phone-screen-share.png' });
  await presenter.page.getByTestId('toggle-screen').click();
  await expect(screen).toHaveCount(0, { timeout: 20_000 });
});
