// Awareness and accessibility (issue 17): the lobby's room preview, microphone meter and speaker
// test; join/leave/raised-hand notices and aria-live announcements; the participants list with
// raised hands in the order raised; the "only one here" card; dialogs and chat by keyboard; and
// axe-core (injected by the test only) finding no serious or critical violation on any page.
import { createRequire } from 'node:module';
import { expect, test, type BrowserContextOptions, type Page } from '@playwright/test';
import { joinCall, openLobby, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test.describe.configure({ mode: 'serial' });

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server: RunningServer;
const people: Participant[] = [];

test.beforeAll(async () => {
  server = await startServer();
});

test.afterAll(async () => {
  for (const p of people) await p.close().catch(() => undefined);
  await server?.stop();
});

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page, where: string): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const all = violations.map((v) => `${where}: ${v.impact} ${v.id} (${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  console.log(`[axe] ${where}: ${violations.length} violations${all.length ? `\n  ${all.join('\n  ')}` : ''}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} x${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe-core: no serious or critical violations on landing, lobby, call, chat, settings and participants', async ({ browser }) => {
  // The page's CSP allows no inline script: axe is injected past it, by the test only.
  const context = await browser.newContext({ baseURL: server.baseURL, bypassCSP: true });
  const page = await context.newPage();
  people.push({ name: 'axe', context, page, peerId: async () => '', close: () => context.close() });
  const found: Record<string, string[]> = {};

  await page.goto('/');
  await expect(page.locator('h1')).toHaveCount(1);
  found.landing = await seriousViolations(page, 'landing');

  const roomId = `e2e-axe-${Date.now().toString(36)}`;
  await page.goto(`/r/${roomId}?test=1`);
  await expect(page.getByTestId('preview-video')).toHaveJSProperty('readyState', 4);
  await expect(page.getByTestId('room-preview')).toHaveText('Nobody is here yet');
  await expect(page.locator('h1')).toHaveCount(1);
  found.lobby = await seriousViolations(page, 'lobby');

  await page.getByTestId('name-input').fill('Axel');
  await page.getByTestId('join-call').click();
  await expect(page.getByTestId('alone-card')).toBeVisible();
  await expect(page.locator('h1')).toHaveCount(1);
  found.call = await seriousViolations(page, 'call');

  await page.getByTestId('toggle-chat').click();
  await expect(page.getByTestId('chat-panel')).toBeVisible();
  found.chat = await seriousViolations(page, 'chat');
  await page.getByTestId('close-chat').click();

  await page.getByTestId('open-settings').click();
  await expect(page.getByTestId('settings-dialog')).toBeVisible();
  found.settings = await seriousViolations(page, 'settings');
  await page.keyboard.press('Escape');

  await page.getByTestId('participant-count').click();
  await expect(page.getByTestId('participants-panel')).toBeVisible();
  found.participants = await seriousViolations(page, 'participants');

  expect(found).toEqual({ landing: [], lobby: [], call: [], chat: [], settings: [], participants: [] });
});

test('two people: room preview, notices and announcements, raised hands in order, chat and dialogs by keyboard', async ({ browser }) => {
  const roomId = `e2e-aware-${Date.now().toString(36)}`;
  const ada = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  people.push(ada);
  const a = ada.page;
  // Focus goes to the call's main region after joining.
  await expect.poll(() => a.evaluate(() => document.activeElement?.tagName)).toBe('MAIN');

  // Alone: the card with the invite link; Copy says so.
  await expect(a.getByTestId('alone-card')).toBeVisible();
  await expect(a.getByTestId('alone-link')).toHaveValue(new RegExp(`/r/${roomId}`));
  await a.getByTestId('alone-copy').click();
  await expect(a.getByTestId('alone-copied')).toHaveText('Link copied');
  await a.screenshot({ path: 'screenshots/aware-desktop-alone.png' });

  // Bob's lobby: who is there, a live microphone meter, a speaker test that plays and ends.
  const bob = await openLobby(browser, server.baseURL, roomId, 'Bob Builder');
  people.push(bob);
  const b = bob.page;
  await expect(b.getByTestId('room-preview')).toHaveText('Ada Lovelace is here');
  await expect.poll(async () => Number(await b.getByTestId('mic-meter').getAttribute('data-level')), { timeout: 15_000 }).toBeGreaterThan(0);
  await b.getByTestId('speaker-test').click();
  await expect(b.getByTestId('speaker-test')).toHaveAttribute('data-playing', 'false', { timeout: 10_000 });
  await b.getByTestId('lobby-room-code').click();
  await expect(b.getByTestId('lobby-room-code')).toContainText('Link copied');
  await b.screenshot({ path: 'screenshots/aware-desktop-lobby.png' });
  // Nobody in the room saw the preview: Ada is still alone.
  await expect(a.getByTestId('alone-card')).toBeVisible();

  await expect(b.getByTestId('preview-video')).toHaveJSProperty('readyState', 4);
  await b.getByTestId('join-call').click();
  await expect(b.getByTestId('call')).toBeVisible();
  await expect(a.getByTestId('awareness-notice').filter({ hasText: 'Bob Builder joined' })).toBeVisible();
  await expect(a.getByTestId('live-announcer')).toContainText('Bob Builder joined');
  await expect(a.getByTestId('alone-card')).toBeHidden();

  // Hands: Bob first, then Ada; the list keeps that order, whatever the names' order.
  await expect.poll(() => b.evaluate(() => document.activeElement?.tagName)).toBe('MAIN');
  await b.keyboard.press('h');
  await expect(a.getByTestId('awareness-notice').filter({ hasText: 'Bob Builder raised their hand' })).toBeVisible();
  await a.keyboard.press('h');
  await a.getByTestId('participant-count').click();
  const rows = a.getByTestId('participant-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.getByTestId('participant-name')).toHaveText(['Bob Builder', 'Ada Lovelace']);
  await expect(rows.nth(0)).toHaveAttribute('data-hand', 'true');
  await expect(rows.nth(1)).toHaveAttribute('data-hand', 'true');
  await b.getByTestId('toggle-mic').click();
  await expect(rows.nth(0).getByTestId('participant-muted')).toBeVisible();
  await a.screenshot({ path: 'screenshots/aware-desktop-participants.png' });
  await a.keyboard.press('Escape'); // the panel has the focus: Esc closes it
  await expect(a.getByTestId('participants-panel')).toBeHidden();

  // Chat: the unread count is in the button's name and the message is announced.
  await b.getByTestId('toggle-chat').click();
  await expect(b.getByTestId('chat-input')).toBeFocused();
  await b.keyboard.type('hello Ada');
  await b.keyboard.press('Enter');
  await expect(a.getByRole('button', { name: 'Open chat, 1 unread' })).toBeVisible();
  await expect(a.getByTestId('live-announcer')).toContainText('Message from Bob Builder: hello Ada');
  // Opened from the keyboard, the focus goes to the message field; Esc gives it back.
  await a.getByTestId('toggle-chat').focus();
  await a.keyboard.press('Enter');
  await expect(a.getByTestId('chat-input')).toBeFocused();
  await a.keyboard.press('Escape');
  await expect(a.getByTestId('chat-panel')).toBeHidden();
  await expect(a.getByTestId('toggle-chat')).toBeFocused();

  // Settings: Tab stays inside, Esc closes even from a device list.
  await a.getByTestId('open-settings').click();
  const dialog = a.getByTestId('settings-dialog');
  for (let i = 0; i < 8; i++) {
    await a.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await a.getByTestId('camera-select').focus();
  await a.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(a.getByTestId('open-settings')).toBeFocused();

  // "?" lists the shortcuts.
  await a.locator('main').focus();
  await a.keyboard.press('?');
  await expect(a.getByTestId('shortcuts-dialog')).toBeVisible();
  await a.keyboard.press('Escape');
  await expect(a.getByTestId('shortcuts-dialog')).toBeHidden();

  await b.getByTestId('leave').click();
  await expect(a.getByTestId('awareness-notice').filter({ hasText: 'Bob Builder left' })).toBeVisible();
  await expect(a.getByTestId('live-announcer')).toContainText('Bob Builder left');
  await expect(a.getByTestId('alone-card')).toBeVisible();
});

test('on a 390x844 touch phone: the alone card and the participants list fit and work by tapping', async ({ browser }) => {
  const roomId = `e2e-aware-phone-${Date.now().toString(36)}`;
  const ada = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace', '', PHONE);
  people.push(ada);
  const page = ada.page;
  const card = page.getByTestId('alone-card');
  await expect(card).toBeInViewport({ ratio: 1 });
  for (const id of ['alone-copy', 'toggle-mic', 'toggle-camera', 'leave', 'participant-count']) await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
  await page.getByTestId('alone-copy').tap();
  await expect(page.getByTestId('alone-copied')).toHaveText('Link copied');
  await page.screenshot({ path: 'screenshots/aware-phone-alone.png' });

  await page.getByTestId('participant-count').tap();
  const panel = page.getByTestId('participants-panel');
  await expect(panel).toHaveAttribute('data-sheet', 'true');
  await expect(panel).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('participant-name')).toHaveText(['Ada Lovelace']);
  await page.screenshot({ path: 'screenshots/aware-phone-participants.png' });
  await page.getByTestId('close-participants').tap();
  await expect(panel).toBeHidden();
});
