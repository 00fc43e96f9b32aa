// A remote that answers a re-offer with the other DTLS role (GStreamer's webrtcbin does): Chromium
// refuses that answer and, after it, every description on that connection, the rollback included.
// Our client must get out with one fresh connection, not stay stuck (no screen share, no ICE
// restart ever again) or loop. Here Ada's browser flips the role in every answer after a
// connection's first, as webrtcbin writes them, and Bob is an ordinary page of ours.
import { expect, test } from '@playwright/test';
import { expectFramesRising, expectMediaFrom, joinCall, type Participant } from '../helpers/participant';
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

test('a re-offer answered with the other DTLS role is recovered with one fresh connection that carries the screen share', async ({ browser }) => {
  const roomId = `e2e-refused-answer-${Date.now().toString(36)}`;
  const ada = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  people.push(ada);
  const bob = await joinCall(browser, server.baseURL, roomId, 'Bob Builder');
  people.push(bob);
  await expectMediaFrom(bob, ada);
  await expectMediaFrom(ada, bob);
  const bobId = await bob.peerId();

  await ada.page.evaluate((id) => {
    const answered = new WeakSet<RTCPeerConnection>();
    const w = window as unknown as { __flipped: number; __first?: RTCPeerConnection };
    w.__flipped = 0;
    // Ada offered the connection she has: its first answer is behind it.
    const current = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection;
    answered.add(current);
    w.__first = current;
    const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
    RTCPeerConnection.prototype.setRemoteDescription = function (this: RTCPeerConnection, desc: RTCSessionDescriptionInit) {
      if (desc?.type === 'answer' && desc.sdp) {
        if (answered.has(this)) {
          w.__flipped += 1;
          desc = { type: 'answer', sdp: desc.sdp.replace(/a=setup:(active|passive)/g, (_m, r: string) => `a=setup:${r === 'active' ? 'passive' : 'active'}`) };
        } else {
          answered.add(this);
        }
      }
      return (setRemote as (d: RTCSessionDescriptionInit) => Promise<void>).call(this, desc);
    } as typeof RTCPeerConnection.prototype.setRemoteDescription;
  }, bobId);

  // The share needs a re-offer; its answer comes back flipped and is refused.
  await ada.page.getByTestId('toggle-screen').click();
  await expect.poll(() => ada.page.evaluate(() => (window as unknown as { __flipped: number }).__flipped)).toBe(1);
  // One fresh connection, offered by Ada, carries camera, microphone and the screen to Bob.
  await expect
    .poll(() => ada.page.evaluate((id) => window.__pulsemeet.peerConnections()[id] !== (window as unknown as { __first: unknown }).__first, bobId))
    .toBe(true);
  const screen = bob.page.getByTestId('screen-tile');
  await expect(screen).toBeVisible();
  await expect.poll(() => screen.locator('video').evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBeGreaterThan(0);
  await expectMediaFrom(bob, ada);
  await expectMediaFrom(ada, bob);
  const adaId = await ada.peerId();
  await expectFramesRising(bob, adaId);
  // No loop: the fresh connection's first answer was taken, nothing else was refused, and the
  // old connection is closed.
  expect(await ada.page.evaluate(() => (window as unknown as { __flipped: number }).__flipped)).toBe(1);
  expect(await ada.page.evaluate(() => (window as unknown as { __first: RTCPeerConnection }).__first.signalingState)).toBe('closed');
});
