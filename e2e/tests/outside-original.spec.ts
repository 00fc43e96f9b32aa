// The original article's client contract, replayed (e2e/outside/original-client.html, served
// from another origin, its socket through a cuttable TCP link) in a call with a page of ours:
// media both ways in both orders, its hang-up and its vanishing (socket dropped without a close
// frame) take its tile away at once, and our screen share leaves it showing one stream for us,
// playing our camera's video (whatever that track carries), with our audio in it.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { expectFramesRising, inbound, joinCall, remoteVideoWidth, tileOf, type Participant } from '../helpers/participant';
import { startCuttableLink, type CuttableLink } from '../helpers/proxy';
import { startServer, type RunningServer } from '../helpers/server';

const page = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../outside/original-client.html'));
/** Its only messages: join, offer/answer, candidates, leave. */
const ORIGINAL_SENDS = ['join', 'offer', 'answer', 'ice-candidate', 'leave'];

let server: RunningServer;
let origin: Server;
let originURL: string;
let link: CuttableLink | undefined;
let ours: Participant | undefined;
let original: Original | undefined;

interface Original {
  context: BrowserContext;
  page: Page;
  peerId(): Promise<string>;
}

interface Showing {
  streamId: string;
  tracks: Array<{ kind: string; id: string; readyState: string; mid: string | null; packets: number; frames: number; energy: number }>;
  videoWidth: number;
  /** The mid of the video track its <video> plays (the stream's first), and of our camera (the connection's first video). */
  playedVideoMid: string | null;
  cameraMid: string | null;
}

interface OriginalHook {
  log: { sent: string[]; received: string[]; errors: string[]; iceServers: unknown; iceServersError: string | null; trackEvents: unknown[]; peerId: string | null };
  hangUp(): void;
  showing(peerId: string): Promise<Showing | null>;
  peers(): string[];
}

function hook(p: Page) {
  return p.evaluate(() => (window as unknown as { __original: OriginalHook }).__original.log);
}

async function openOriginal(browser: Browser, roomId: string, name: string): Promise<Original> {
  const context = await browser.newContext();
  const p = await context.newPage();
  p.on('pageerror', (err) => console.error(`[original] page error: ${err.message}`));
  const query = new URLSearchParams({ room: roomId, name, ws: `ws://127.0.0.1:${link!.port}/ws`, http: server.baseURL });
  await p.goto(`${originURL}/?${query.toString()}`);
  const peerId = async () => {
    await expect.poll(async () => (await hook(p)).peerId, { timeout: 20_000, message: 'the original client joined' }).not.toBeNull();
    return (await hook(p)).peerId!;
  };
  await peerId();
  return { context, page: p, peerId };
}

function showing(p: Page, remoteId: string): Promise<Showing | null> {
  return p.evaluate((id) => (window as unknown as { __original: OriginalHook }).__original.showing(id), remoteId);
}

function sum(s: Showing | null, kind: string, field: 'packets' | 'frames' | 'energy'): number {
  return (s?.tracks ?? []).filter((t) => t.kind === kind).reduce((n, t) => n + t[field], 0);
}

/** The original shows one stream for us, with our video (frames rising) and our audio (packets and energy rising). */
async function expectOriginalShowsUs(p: Page, ourId: string, what: string): Promise<Showing> {
  await expect.poll(async () => (await showing(p, ourId))?.videoWidth ?? 0, { timeout: 25_000, message: `${what}: the original shows our video` }).toBeGreaterThan(0);
  const before = (await showing(p, ourId))!;
  expect(new Set(before.tracks.map((t) => t.kind)), `${what}: the one stream it shows for us has our audio and video`).toEqual(new Set(['audio', 'video']));
  expect(before.playedVideoMid, `${what}: the video it plays for us is our camera's`).toBe(before.cameraMid);
  const played = (s: Showing | null) => s?.tracks.find((t) => t.kind === 'video' && t.mid === s.playedVideoMid)?.frames ?? 0;
  await expect.poll(async () => played(await showing(p, ourId)), { timeout: 20_000, message: `${what}: frames rising in the video it plays` }).toBeGreaterThan(played(before));
  await expect.poll(async () => sum(await showing(p, ourId), 'audio', 'packets'), { timeout: 20_000, message: `${what}: audio packets rising in the stream it shows` }).toBeGreaterThan(sum(before, 'audio', 'packets'));
  await expect.poll(async () => sum(await showing(p, ourId), 'audio', 'energy'), { timeout: 20_000, message: `${what}: our audio is audible in the stream it shows` }).toBeGreaterThan(sum(before, 'audio', 'energy'));
  return before;
}

/** What the original sent is only what the original sends, and the server found nothing wrong with it. */
async function expectOnlyOriginalMessages(p: Page): Promise<void> {
  const log = await hook(p);
  expect([...new Set(log.sent)].filter((t) => !ORIGINAL_SENDS.includes(t))).toEqual([]);
  expect(log.errors).toEqual([]);
  expect(log.iceServersError, 'GET /ice-servers read across origins (CORS)').toBeNull();
}

/** Frames our page encoded from its screen track for `remoteId`'s connection. */
function screenFramesSentTo(p: Page, remoteId: string): Promise<number> {
  return p.evaluate(async (id) => {
    const video = document.querySelector('[data-testid="screen-tile"] video') as HTMLVideoElement | null;
    const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    const sender = track && pc?.getSenders().find((s) => s.track === track);
    if (!sender) return 0;
    let frames = 0;
    (await sender.getStats()).forEach((s: { type: string; framesEncoded?: number }) => {
      if (s.type === 'outbound-rtp') frames += s.framesEncoded ?? 0;
    });
    return frames;
  }, remoteId);
}

async function ourMediaFromOriginal(viewer: Participant, originalId: string): Promise<void> {
  await expect.poll(() => remoteVideoWidth(viewer.page, originalId), { timeout: 25_000, message: 'our page shows the original client' }).toBeGreaterThan(0);
  await expectFramesRising(viewer, originalId);
  await expect.poll(async () => (await inbound(viewer.page, originalId))?.audioPackets ?? 0, { timeout: 20_000, message: 'our page hears the original client' }).toBeGreaterThan(0);
}

test.beforeAll(async () => {
  origin = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
  const address = origin.address();
  if (address === null || typeof address === 'string') throw new Error('origin server has no port');
  originURL = `http://127.0.0.1:${address.port}`;
  // The original is served from its own origin, as the Next.js app is: listed origins (here any)
  // may open the socket and read /ice-servers across origins.
  server = await startServer({ env: { ALLOWED_ORIGINS: '*' } });
});

test.beforeEach(async () => {
  link = await startCuttableLink(server.port);
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && original) console.log('original client log:', JSON.stringify(await hook(original.page).catch(() => null)));
  await original?.context.close().catch(() => undefined);
  await ours?.close().catch(() => undefined);
  await link?.close();
  original = undefined;
  ours = undefined;
  link = undefined;
});

test.afterAll(async () => {
  await server?.stop();
  await new Promise<void>((done) => origin?.close(() => done()));
});

test('the original there first offers; our page answers: media both ways; its hang-up takes its tile at once', async ({ browser }) => {
  const roomId = `e2e-orig-offers-${Date.now().toString(36)}`;
  original = await openOriginal(browser, roomId, 'Original');
  const originalId = await original.peerId();
  ours = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  const ourId = await ours.peerId();

  await ourMediaFromOriginal(ours, originalId);
  await expectOriginalShowsUs(original.page, ourId, 'the original offered');
  await expectOnlyOriginalMessages(original.page);

  await original.page.evaluate(() => (window as unknown as { __original: OriginalHook }).__original.hangUp());
  await expect(tileOf(ours.page, originalId)).toHaveCount(0, { timeout: 1_000 });
  expect((await hook(original.page)).sent.at(-1)).toBe('leave');
});

test('our page there first offers; the original answers: media both ways; its vanishing is announced at once', async ({ browser }) => {
  const roomId = `e2e-orig-answers-${Date.now().toString(36)}`;
  ours = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  const ourId = await ours.peerId();
  original = await openOriginal(browser, roomId, 'Original');
  const originalId = await original.peerId();

  await ourMediaFromOriginal(ours, originalId);
  await expectOriginalShowsUs(original.page, ourId, 'our page offered');
  await expectOnlyOriginalMessages(original.page);

  // It vanishes: its socket is dropped without a close frame (a crash, a lost network), and its
  // reconnects are refused. It never resumes, so nobody should keep its place.
  await expect(tileOf(ours.page, originalId)).toHaveCount(1);
  link!.cut();
  await expect(tileOf(ours.page, originalId)).toHaveCount(0, { timeout: 1_000 });
  await expect.poll(() => ours!.page.evaluate(() => window.__pulsemeet.roster().filter((e) => e.event === 'removed').length)).toBe(1);
});

test('our screen share leaves the original showing one stream for us, with our audio, during and after', async ({ browser }) => {
  const roomId = `e2e-orig-screen-${Date.now().toString(36)}`;
  original = await openOriginal(browser, roomId, 'Original');
  const originalId = await original.peerId();
  ours = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  const ourId = await ours.peerId();
  await ourMediaFromOriginal(ours, originalId);
  const camera = await expectOriginalShowsUs(original.page, ourId, 'before sharing');

  await ours.page.getByTestId('toggle-screen').click();
  await expect(ours.page.getByTestId('screen-tile')).toBeVisible();
  // The share has reached the original once our screen track is being encoded for it, whether in
  // its own transceiver (the original has had its `track` event by then: that comes with the offer,
  // frames only after the answer) or in place of the camera's track.
  await expect.poll(() => screenFramesSentTo(ours!.page, originalId), { timeout: 20_000, message: 'our screen is sent to the original' }).toBeGreaterThan(0);
  const during = await expectOriginalShowsUs(original.page, ourId, 'while we share');
  expect(during.streamId, 'the original still shows the stream with our camera and audio').toBe(camera.streamId);

  await ours.page.getByTestId('toggle-screen').click();
  await expect(ours.page.getByTestId('screen-tile')).toHaveCount(0);
  const after = await expectOriginalShowsUs(original.page, ourId, 'after sharing');
  expect(after.streamId).toBe(camera.streamId);
  await ourMediaFromOriginal(ours, originalId);
  await expectOnlyOriginalMessages(original.page);
});
