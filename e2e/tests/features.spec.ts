// In-call features between two people: raise hand, active-speaker ring, screen sharing, chat,
// recording.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectMediaFrom, joinCall, tileOf, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let ada: Participant;
let bob: Participant;
const roomId = `e2e-features-${Date.now().toString(36)}`;

/** Decoded frames per inbound video stream from `remoteId`, keyed by track identifier. */
async function videoFrames(page: Page, remoteId: string): Promise<number[]> {
  return page.evaluate(async (id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    if (!pc) return [];
    const out: number[] = [];
    (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.push(s.framesDecoded ?? 0);
    });
    return out;
  }, remoteId);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  server = await startServer();
  ada = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  bob = await joinCall(browser, server.baseURL, roomId, 'Bob Builder');
  await expectMediaFrom(bob, ada);
});

test.afterAll(async () => {
  await ada?.close().catch(() => undefined);
  await bob?.close().catch(() => undefined);
  await server?.stop();
});

test('a raised hand shows on the tile, and the speaker gets a ring from their audio level', async () => {
  const adaId = await ada.peerId();
  await ada.page.getByTestId('toggle-hand').click();
  await expect(tileOf(bob.page, adaId).getByTestId('tile-hand')).toBeVisible();
  // The fake microphone beeps: Ada's tile at Bob's lights up while she is audible...
  await expect(tileOf(bob.page, adaId)).toHaveAttribute('data-speaking', 'true', { timeout: 20_000 });
  // ...and never while she is muted.
  await ada.page.getByTestId('toggle-mic').click();
  await expect(tileOf(bob.page, adaId)).toHaveAttribute('data-speaking', 'false', { timeout: 20_000 });
  await ada.page.getByTestId('toggle-mic').click();
  await ada.page.locator('body').press('h');
  await expect(tileOf(bob.page, adaId).getByTestId('tile-hand')).toHaveCount(0);
});

test('a shared screen arrives as an extra decoded video in a large tile and goes away on stop', async () => {
  const adaId = await ada.peerId();
  const pcBefore = await bob.page.evaluate((id) => {
    (window.__pulsemeet.peerConnections()[id] as { __tag?: string }).__tag = 'same';
  }, adaId);
  void pcBefore;
  expect((await videoFrames(bob.page, adaId)).length).toBe(1);

  await ada.page.getByTestId('toggle-screen').click();
  await expect(ada.page.getByTestId('screen-tile')).toBeVisible();
  const screen = bob.page.getByTestId('screen-tile');
  await expect(screen).toBeVisible({ timeout: 20_000 });
  await expect(screen.getByTestId('screen-name')).toHaveText('Ada Lovelace is presenting');
  await expect.poll(() => screen.locator('video').evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
  // Two inbound videos now, both decoding: the camera and the screen.
  await expect.poll(async () => (await videoFrames(bob.page, adaId)).filter((f) => f > 0).length, { timeout: 20_000 }).toBe(2);
  const first = await videoFrames(bob.page, adaId);
  await expect.poll(async () => (await videoFrames(bob.page, adaId)).every((f, i) => f > (first[i] ?? 0)), { timeout: 20_000 }).toBe(true);
  // The screen comes in the stream of Ada's camera and microphone (one msid for all three), so a
  // client that shows one stream per peer keeps showing her camera (docs/protocol.md, "Writing a client").
  const msids = await bob.page.evaluate((id) => {
    const sdp = (window.__pulsemeet.peerConnections()[id] as RTCPeerConnection).remoteDescription?.sdp ?? '';
    return [...sdp.matchAll(/^a=msid:(\S+) /gm)].map((m) => m[1]);
  }, adaId);
  expect(msids).toHaveLength(3);
  expect(new Set(msids).size).toBe(1);
  // Renegotiated on the same connection: no new RTCPeerConnection.
  expect(await bob.page.evaluate((id) => (window.__pulsemeet.peerConnections()[id] as { __tag?: string }).__tag, adaId)).toBe('same');
  await bob.page.screenshot({ path: 'screenshots/screen-share.png', timeout: 30_000 }).catch(() => undefined); // for looking at the UI; not an assertion

  // Stopping from the browser's own "Stop sharing" bar ends the capture track.
  await ada.page.evaluate(() => {
    const pc = Object.values(window.__pulsemeet.peerConnections())[0] as RTCPeerConnection;
    const videos = pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video');
    const track = videos[videos.length - 1]!.sender.track!;
    track.stop();
    track.dispatchEvent(new Event('ended'));
  });
  await expect(screen).toHaveCount(0, { timeout: 20_000 });
  await expect(ada.page.getByTestId('screen-tile')).toHaveCount(0);
  await expect(ada.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'false');
  // Bob still gets Ada's camera.
  await expectMediaFrom(bob, ada);
});

test('chat goes both ways over the data channel, with an unread badge, and markup stays text', async () => {
  const payload = '<img src=x onerror="window.__pwned=1"><b>bold?</b> & hi';
  await ada.page.getByTestId('toggle-chat').click();
  await ada.page.getByTestId('chat-input').fill(payload);
  await ada.page.getByTestId('chat-input').press('Enter');
  await expect(ada.page.getByTestId('chat-text').last()).toHaveText(payload);
  await expect(ada.page.getByTestId('chat-undelivered')).toHaveCount(0);

  await expect(bob.page.getByTestId('chat-unread')).toHaveText('1', { timeout: 20_000 });
  await bob.page.getByTestId('toggle-chat').click();
  await expect(bob.page.getByTestId('chat-unread')).toHaveCount(0);
  const received = bob.page.getByTestId('chat-message').last();
  await expect(received.getByTestId('chat-text')).toHaveText(payload);
  await expect(received.getByTestId('chat-name')).toHaveText('Ada Lovelace');
  await expect(received.locator('b, img')).toHaveCount(0);
  expect(await bob.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await bob.page.getByTestId('chat-input').fill('Got it 👍');
  await bob.page.getByTestId('chat-send').click();
  await expect(ada.page.getByTestId('chat-text').last()).toHaveText('Got it 👍', { timeout: 20_000 });
  await expect(ada.page.getByTestId('chat-name').last()).toHaveText('Bob Builder');
  await bob.page.screenshot({ path: 'screenshots/chat.png', timeout: 30_000 }).catch(() => undefined); // for looking at the UI; not an assertion
});

test('recording the call gives a seekable WebM with a duration, video and audio, and everyone sees the mark', async () => {
  await ada.page.getByTestId('toggle-record').click();
  await expect(bob.page.getByTestId('recording-indicator')).toContainText('Ada Lovelace', { timeout: 20_000 });
  await expect(ada.page.getByTestId('recording-indicator')).toContainText('You');
  // "(you)" is for Ada's own screen only: the recording labels her tile with her name as others see it.
  await expect(ada.page.locator('[data-testid="tile"][data-local="true"]')).toHaveAttribute('data-record-name', 'Ada Lovelace');
  await ada.page.screenshot({ path: 'screenshots/recording.png', timeout: 30_000 }).catch(() => undefined); // for looking at the UI; not an assertion
  // A recording needs some length: this wait is the content, not a hope that something happened.
  await ada.page.waitForTimeout(3_500);
  // Generous: encoding competes for a loaded machine's CPU with three other browsers.
  const [download] = await Promise.all([ada.page.waitForEvent('download', { timeout: 60_000 }), ada.page.getByTestId('toggle-record').click({ timeout: 45_000 })]);
  expect(download.suggestedFilename()).toMatch(/^pulsemeet-.*\.webm$/);
  const file = test.info().outputPath('call.webm');
  await download.saveAs(file);
  await expect(bob.page.getByTestId('recording-indicator')).toHaveCount(0, { timeout: 20_000 });

  const probe = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name:packet=pts_time', '-of', 'json', file], { encoding: 'utf8' }),
  ) as { format: { duration?: string }; streams: Array<{ codec_type: string; codec_name: string }>; packets: Array<{ pts_time?: string }> };
  expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
  const lastPacket = Math.max(...probe.packets.map((p) => Number(p.pts_time ?? 0)));
  // The duration is in the file's header (MediaRecorder leaves it out; we write it in), and
  // agrees with the media in it.
  const duration = Number(probe.format.duration);
  console.log(`recording: ${statSync(file).size} bytes, duration ${duration.toFixed(2)} s in the header, last packet at ${lastPacket.toFixed(2)} s, ${probe.streams.map((s) => s.codec_name).join('+')}`);
  expect(duration).toBeGreaterThan(2);
  expect(Math.abs(duration - lastPacket)).toBeLessThan(0.2);

  // Seekable where people play it: a browser shows a finite duration, and a seek lands where asked
  // (MediaRecorder's own file says Infinity and cannot be sought).
  const bytes = readFileSync(file).toString('base64');
  const played = await bob.page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const video = document.createElement('video');
    video.muted = true;
    video.src = URL.createObjectURL(new Blob([data], { type: 'video/webm' }));
    await new Promise((resolve, reject) => {
      video.onloadedmetadata = resolve;
      video.onerror = () => reject(new Error('cannot load the recording'));
    });
    const duration = video.duration;
    const target = duration / 2;
    video.currentTime = target;
    await new Promise((resolve) => (video.onseeked = resolve));
    return { duration, target, at: video.currentTime, seekable: video.seekable.length > 0 ? video.seekable.end(0) : 0 };
  }, bytes);
  expect(Number.isFinite(played.duration)).toBe(true);
  expect(played.duration).toBeGreaterThan(2);
  expect(played.seekable).toBeGreaterThan(2);
  expect(Math.abs(played.at - played.target)).toBeLessThan(0.5);
});
