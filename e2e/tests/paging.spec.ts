// A big room on a phone (390x844, touch): with more people than fit at a readable size, the grid
// view pages through them with page buttons that have accessible names, sit inside the viewport
// and work by tapping; axe finds nothing serious. The other people are WebSocket-only members
// (one plain page opens their sockets), so one browser call is enough; the room is on the media
// server from its first member (SFU_MODE=always), where their tiles show an avatar.
import { createRequire } from 'node:module';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startServer, type RunningServer } from '../helpers/server';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const OTHERS = 24;

let server: RunningServer;
const contexts: BrowserContext[] = [];

test.beforeAll(async () => {
  server = await startServer({ env: { SFU_MODE: 'always' } });
});

test.afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await server?.stop();
});

/** `count` members of `roomId` that only hold a WebSocket (they can use the media server). */
async function socketMembers(page: Page, roomId: string, count: number): Promise<void> {
  await page.goto('/');
  const joined = await page.evaluate(
    async ({ roomId, count }) => {
      const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
      const sockets: WebSocket[] = [];
      (window as unknown as { members: WebSocket[] }).members = sockets;
      let ok = 0;
      for (let i = 1; i <= count; i++) {
        const ws = new WebSocket(url);
        sockets.push(ws);
        await new Promise<void>((resolve, reject) => {
          ws.onopen = () => ws.send(JSON.stringify({ type: 'join', roomId, data: { name: `Member ${i}`, sfu: true, received: 0 } }));
          ws.onmessage = (e) => {
            if (JSON.parse(String(e.data)).type === 'room-joined') {
              ok++;
              resolve();
            }
          };
          ws.onerror = () => reject(new Error(`socket ${i}`));
        });
      }
      return ok;
    },
    { roomId, count },
  );
  expect(joined).toBe(count);
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<Result> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function insideViewport(page: Page, testid: string): Promise<boolean> {
  const box = await page.getByTestId(testid).boundingBox();
  return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= 390.5 && box.y + box.height <= 844.5;
}

test('on a phone the grid pages through a big room by tapping, and stays accessible', async ({ browser }) => {
  const roomId = `e2e-paging-${Date.now().toString(36)}`;
  const phone = await browser.newContext({ ...PHONE, baseURL: server.baseURL, bypassCSP: true });
  contexts.push(phone);
  const page = await phone.newPage();
  page.on('pageerror', (err) => console.error(`[phone] page error: ${err.message}`));
  await page.goto(`/r/${roomId}?test=1`);
  await page.getByTestId('name-input').fill('Phone');
  await expect(page.getByTestId('preview-video')).toHaveJSProperty('readyState', 4, { timeout: 20_000 });
  await page.getByTestId('join-call').tap();
  await expect(page.getByTestId('call')).toBeVisible();

  const members = await browser.newContext({ baseURL: server.baseURL });
  contexts.push(members);
  await socketMembers(await members.newPage(), roomId, OTHERS);

  await page.getByTestId('more-menu').tap();
  await page.getByTestId('more-menu-list').getByTestId('toggle-view').tap();
  const pager = page.getByTestId('grid-pager');
  await expect(pager).toBeVisible({ timeout: 20_000 });
  const label = page.getByTestId('grid-page-label');
  await expect(label).toHaveText(/^Page 1 of [2-9]$/);
  const pages = Number((await label.textContent())!.split(' of ')[1]);
  const previous = page.getByRole('button', { name: 'Previous page of participants' });
  const next = page.getByRole('button', { name: 'Next page of participants' });
  await expect(previous).toBeDisabled();
  expect(await insideViewport(page, 'grid-page-next')).toBe(true);
  expect(await insideViewport(page, 'grid-page-previous')).toBe(true);

  const grid = page.getByTestId('tile-grid');
  const onPage = async () => grid.getByTestId('tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-peer-id') ?? ''));
  const first = await onPage();
  expect(first.length).toBeGreaterThan(1);
  expect(first.length).toBeLessThan(OTHERS + 1);
  // Members that send no video show their initials, not a black tile.
  await expect(grid.getByTestId('tile').nth(1).getByTestId(/^tile-(no-picture|camera-off|not-forwarded)$/)).toBeVisible();

  const seen = new Set(first);
  for (let p = 2; p <= pages; p++) {
    await next.tap();
    await expect(label).toHaveText(`Page ${p} of ${pages}`);
    const tiles = await onPage();
    for (const id of tiles) {
      expect(seen.has(id), `${id} on two pages`).toBe(false);
      seen.add(id);
    }
  }
  expect(seen.size).toBe(OTHERS + 1);
  await expect(next).toBeDisabled();
  await previous.tap();
  await expect(label).toHaveText(`Page ${pages - 1} of ${pages}`);

  expect(await seriousViolations(page)).toEqual([]);
});
