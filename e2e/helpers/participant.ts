// One person in a call: its own browser context (separate storage = separate peer) and page,
// plus the assertions that prove media really flows, read through the ?test=1 hook.
import type { CryptoCost } from '../../web/src/e2ee/protocol';
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';

export interface Participant {
  name: string;
  context: BrowserContext;
  page: Page;
  peerId(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Context options (e.g. a phone's viewport and touch: `{ viewport, hasTouch: true, isMobile: true }`)
 * plus functions run in the page before the app loads (see helpers/pageScripts.ts).
 */
export interface PageOptions extends BrowserContextOptions {
  initScripts?: Array<() => void>;
}

/** `query`: more link parameters after ?test=1, e.g. "relay=1&token=...". */
export async function openLobby(browser: Browser, baseURL: string, roomId: string, name: string, query = '', options: PageOptions = {}): Promise<Participant> {
  const { initScripts = [], ...device } = options;
  const context = await browser.newContext({ ...device, baseURL });
  for (const script of initScripts) await context.addInitScript(script);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error: ${err.message}`));
  await page.goto(`/r/${roomId}?test=1${query ? `&${query}` : ''}`);
  await expect(page.getByTestId('lobby'), `${name}'s lobby shows`).toBeVisible();
  // A room token with a name claim fixes the name: the lobby shows it read-only.
  if (await page.getByTestId('name-input').isEditable()) await page.getByTestId('name-input').fill(name);
  return {
    name,
    context,
    page,
    peerId: () => page.evaluate(() => window.__pulsemeet.peerId() ?? ''),
    close: () => context.close(),
  };
}

/** Lobby -> Join -> in the call with a server-assigned id. */
export async function joinCall(browser: Browser, baseURL: string, roomId: string, name: string, query = '', options: PageOptions = {}): Promise<Participant> {
  const p = await openLobby(browser, baseURL, roomId, name, query, options);
  // Join once the camera is up, so the first offer already carries video.
  await expect(p.page.getByTestId('preview-video'), `${name}'s camera preview plays`).toHaveJSProperty('readyState', 4, { timeout: 20_000 });
  await p.page.getByTestId('join-call').click();
  await expect(p.page.getByTestId('call'), `${name} is in the call`).toBeVisible();
  await expect.poll(() => p.peerId(), { timeout: 20_000, message: `${name} has an id from the server` }).not.toBe('');
  return p;
}

export function remoteTiles(page: Page) {
  return page.locator('[data-testid="tile"][data-local="false"]');
}

export function tileOf(page: Page, peerId: string) {
  return page.locator(`[data-testid="tile"][data-peer-id="${peerId}"]`);
}

interface InboundCounters {
  framesDecoded: number;
  audioPackets: number;
  state: string;
}

export async function inbound(page: Page, remoteId: string): Promise<InboundCounters | null> {
  return page.evaluate(async (id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    if (!pc) return null;
    const report = await pc.getStats();
    let framesDecoded = 0;
    let audioPackets = 0;
    report.forEach((s: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') framesDecoded += s.framesDecoded ?? 0;
      if (s.kind === 'audio') audioPackets += s.packetsReceived ?? 0;
    });
    return { framesDecoded, audioPackets, state: pc.connectionState };
  }, remoteId);
}

export async function remoteVideoWidth(page: Page, remoteId: string): Promise<number> {
  return tileOf(page, remoteId)
    .locator('video')
    .evaluate((v) => (v as HTMLVideoElement).videoWidth)
    .catch(() => 0);
}

/**
 * The proof that `viewer` receives `sender`: remote <video> has real dimensions, decoded frames
 * rise between two samples, and audio packets arrive.
 */
export async function expectMediaFrom(viewer: Participant, sender: Participant, timeout = 25_000): Promise<void> {
  const senderId = await sender.peerId();
  await expect.poll(() => remoteVideoWidth(viewer.page, senderId), { timeout, message: `${viewer.name} sees ${sender.name}'s video` }).toBeGreaterThan(0);
  await expectFramesRising(viewer, senderId, timeout);
  await expect
    .poll(async () => (await inbound(viewer.page, senderId))?.audioPackets ?? 0, { timeout, message: `${viewer.name} receives ${sender.name}'s audio` })
    .toBeGreaterThan(0);
}

export async function expectFramesRising(viewer: Participant, senderId: string, timeout = 25_000): Promise<void> {
  const first = (await inbound(viewer.page, senderId))?.framesDecoded ?? 0;
  await expect
    .poll(async () => (await inbound(viewer.page, senderId))?.framesDecoded ?? 0, { timeout, intervals: [250, 500, 1000], message: `frames from ${senderId} rising for ${viewer.name}` })
    .toBeGreaterThan(first);
}

/**
 * What the page's frame worker counted: per kind the frames sealed and opened, the time it took
 * and their bytes; per receiving transform what it opened, dropped or passed on. The app's own
 * type: the test hook hands it over as it is.
 */
export type E2eeCost = CryptoCost;

declare global {
  interface Window {
    __pulsemeet: {
      peerId(): string | null;
      peerConnections(): Record<string, unknown>;
      socketState(): string;
      phase(): string;
      roster(): Array<{ event: 'added' | 'removed'; peerId: string }>;
      iceRefreshes(): number;
      /** On the media server: remote id -> the mids that carry its tracks (the mesh: none). */
      receivedMids(): Record<string, string[]>;
      /** Which transport feeds the tiles: 'mesh' or 'sfu'. */
      mediaTransport(): string;
      /** Every RTCPeerConnection of the page, each once (both transports' during a move). */
      outboundConnections(): unknown[];
      /** End-to-end encryption: the frame worker's counters per kind (null: no worker). */
      e2eeCost(): Promise<E2eeCost | null>;
      /** Joining and moves between mesh and media server, step by step (performance.now() ms). */
      trace(): Array<{ atMs: number; event: string; detail?: string }>;
    };
  }
}
