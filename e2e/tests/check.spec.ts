// The pre-call check page /check (issue 20): each verdict forced by a real setup — a server
// without TURN, a TURN relay that refuses the server's credentials (wrong secret), a browser in a
// network namespace whose UDP is dropped, a browser that is refused the camera — and the page says
// the right thing. Screenshots of each state go to test-results/check-*.png. Also: the lobby links
// to it, a phone viewport, and axe-core finds no serious or critical violation.
import { createRequire } from 'node:module';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startCoturn, type RunningTurn } from '../helpers/coturn';
import { startServer, type RunningServer } from '../helpers/server';
import { launchChromium, makeUdpBlockedNetwork, type UdpBlockedNetwork } from '../helpers/udpBlocked';

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let network: UdpBlockedNetwork;
let plain: RunningServer;
let turn: RunningTurn;
let badTurn: RunningServer;
let open: Browser;
let blocked: Browser;
const browsers: Browser[] = [];

test.beforeAll(async () => {
  network = makeUdpBlockedNetwork();
  plain = await startServer({ env: { HOST: network.hostAddress } });
  turn = await startCoturn('the-relays-secret');
  badTurn = await startServer({ env: { HOST: network.hostAddress, TURN_ENABLED: 'true', TURN_URLS: turn.url, TURN_SECRET: 'not-the-relays-secret' } });
  const secure = `--unsafely-treat-insecure-origin-as-secure=${plain.baseURL},${badTurn.baseURL}`;
  open = await launchChromium([secure]);
  blocked = await launchChromium([secure], network.chromiumPath);
  browsers.push(open, blocked);
});

test.afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await plain?.stop();
  await badTurn?.stop();
  await turn?.stop();
  network?.remove();
});

async function runCheck(browser: Browser, baseURL: string, shot: string, device: object = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL, bypassCSP: true, ...device });
  const page = await context.newPage();
  const started = Date.now();
  await page.goto('/check');
  await expect(page.getByTestId('check-overall')).toBeVisible({ timeout: 30_000 });
  console.log(`check report: ${shot} took ${Date.now() - started} ms`);
  await page.screenshot({ path: test.info().outputPath(`check-${shot}.png`), fullPage: true });
  await page.screenshot({ path: `test-results/check-${shot}.png`, fullPage: true });
  return page;
}

function verdict(page: Page, id: string) {
  return page.getByTestId(`check-${id}`);
}

test('everything reachable, no TURN configured: camera, microphone, UDP and TCP work; TURN is not configured', async () => {
  const page = await runCheck(open, plain.baseURL, 'all-good');
  await expect(verdict(page, 'camera')).toHaveAttribute('data-level', 'ok');
  await expect(verdict(page, 'microphone')).toHaveAttribute('data-level', 'ok');
  await expect(verdict(page, 'media-udp')).toHaveAttribute('data-level', 'ok');
  await expect(verdict(page, 'media-tcp')).toHaveAttribute('data-level', 'ok');
  await expect(verdict(page, 'turn')).toHaveAttribute('data-level', 'info');
  await expect(verdict(page, 'turn')).toContainText('This server has no TURN relay configured.');
  await expect(page.getByTestId('check-overall')).toHaveText('Everything works: you are ready for calls.');
});

test('UDP blocked: the page says calls will use TCP', async () => {
  const page = await runCheck(blocked, plain.baseURL, 'udp-blocked');
  await expect(verdict(page, 'media-udp')).toHaveAttribute('data-level', 'warn');
  await expect(verdict(page, 'media-udp')).toContainText('Your network blocks UDP to the media server.');
  await expect(verdict(page, 'media-udp')).toContainText('Calls will use TCP, which may add delay.');
  await expect(verdict(page, 'media-tcp')).toHaveAttribute('data-level', 'ok');
  await expect(page.getByTestId('check-overall')).toHaveAttribute('data-level', 'warn');
});

test('a TURN relay that refuses the credentials: the page says so and points at the secret', async () => {
  const page = await runCheck(open, badTurn.baseURL, 'turn-refused');
  await expect(verdict(page, 'turn')).toHaveAttribute('data-level', 'fail');
  await expect(verdict(page, 'turn')).toContainText('The TURN relay did not accept you (401');
  await expect(verdict(page, 'turn')).toContainText('TURN_SECRET');
  // The report button copies the details for an administrator.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('check-copy').click();
  const report = await page.evaluate(() => navigator.clipboard.readText());
  expect(report).toContain('FAIL TURN relay: The TURN relay did not accept you (401');
  expect(report).toContain('turn: turn:');
});

test('camera and microphone refused: the page says the browser is not allowed and how to allow it', async () => {
  // A browser without the flag that accepts every permission prompt, and a context granting
  // none: getUserMedia is refused (NotAllowedError), as when a person clicks "Block".
  const secure = `--unsafely-treat-insecure-origin-as-secure=${plain.baseURL}`;
  const strict = await launchChromium([secure, '--deny-permission-prompts'], undefined, ['--use-fake-ui-for-media-stream']);
  browsers.push(strict);
  const page = await runCheck(strict, plain.baseURL, 'camera-denied');
  await expect(verdict(page, 'camera')).toHaveAttribute('data-level', 'fail');
  await expect(verdict(page, 'camera')).toContainText('The browser is not allowed to use your camera.');
  await expect(verdict(page, 'camera')).toContainText('allow the camera');
  await expect(page.getByTestId('check-overall')).toHaveAttribute('data-level', 'fail');
});

test('the lobby links to the check; on a phone (390x844, touch) it fits and axe finds nothing serious', async () => {
  const context = await open.newContext({ baseURL: plain.baseURL, bypassCSP: true, viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const lobby = await context.newPage();
  await lobby.goto('/r/check-link-room?test=1');
  await expect(lobby.getByTestId('lobby-check-link')).toHaveText('Test your connection');
  await expect(lobby.getByTestId('lobby-check-link')).toHaveAttribute('href', '/check?test=1');
  const page = await runCheck(open, plain.baseURL, 'phone', { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.addScriptTag({ path: axePath });
  const serious = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  });
  expect(serious).toEqual([]);
  await context.close();
});
