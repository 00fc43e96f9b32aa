// A client we did not write: GStreamer's webrtcbin (e2e/outside/gst_peer.py, loopback only) in a
// call with a Chromium page running our client, in both orders of the negotiation rule "the peer
// already in the room offers" (docs/protocol.md): webrtcbin offers when it was there first, and
// answers, with the offer's payload types, when our page was. Each order: audio and video decoded
// on both sides, our page shares its screen and stops while the call goes on, and webrtcbin's
// leave takes its tile away within a second.
import { expect, test, type Page } from '@playwright/test';
import { gstAvailable, startGstPeer, totals, type GstPeer } from '../helpers/gstPeer';
import { expectFramesRising, inbound, joinCall, remoteVideoWidth, tileOf, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
let page: Participant | undefined;
let gst: GstPeer | undefined;

test.beforeAll(async () => {
  const missing = gstAvailable();
  if (missing) throw new Error(`GStreamer peer cannot run: ${missing} (make deps)`);
  server = await startServer();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    // What each side saw, for the report: webrtcbin's events and our connection's state.
    console.log('webrtcbin events:', JSON.stringify(gst?.events.filter((e) => e.event !== 'stats')), 'errors:', gst?.errors());
    console.log('our page:', await page?.page.evaluate(describeConnections).catch((e: Error) => e.message));
    console.log('our page inbound:', await page?.page.evaluate(inboundDetails).catch((e: Error) => e.message));
  }
  await gst?.kill();
  await page?.close().catch(() => undefined);
  gst = undefined;
  page = undefined;
});

test.afterAll(async () => {
  await server?.stop();
});

function describeConnections(): string[] {
  return Object.entries(window.__pulsemeet.peerConnections()).map(([id, value]) => {
    const pc = value as RTCPeerConnection;
    const setup = (sdp?: string) => sdp?.match(/a=setup:\w+/g)?.join(',');
    return `${id}: ${pc.signalingState}/${pc.connectionState} transceivers ${pc.getTransceivers().map((t) => `${t.mid}:${t.receiver.track.kind}:${t.currentDirection}`).join(',')} local ${setup(pc.localDescription?.sdp)} remote ${setup(pc.remoteDescription?.sdp)} m-lines ${pc.remoteDescription?.sdp.match(/^m=\w+/gm)?.join(',')}`;
  });
}

async function inboundDetails(): Promise<string[]> {
  const out: string[] = [];
  for (const [id, value] of Object.entries(window.__pulsemeet.peerConnections())) {
    (await (value as RTCPeerConnection).getStats()).forEach((s: { type: string; kind?: string; mid?: string; packetsReceived?: number; framesReceived?: number; framesDecoded?: number; keyFramesDecoded?: number; pliCount?: number }) => {
      if (s.type === 'inbound-rtp') out.push(`${id} ${s.kind} mid ${s.mid}: packets ${s.packetsReceived} frames received ${s.framesReceived} decoded ${s.framesDecoded} key ${s.keyFramesDecoded} pli ${s.pliCount}`);
    });
  }
  return out;
}

/** Total energy of the audio our page decoded from `remoteId`: rises only with audible sound. */
async function audioEnergy(viewer: Page, remoteId: string): Promise<number> {
  return viewer.evaluate(async (id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    if (!pc) return 0;
    let energy = 0;
    (await pc.getStats()).forEach((s: { type: string; kind?: string; totalAudioEnergy?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') energy += s.totalAudioEnergy ?? 0;
    });
    return energy;
  }, remoteId);
}

/** Our page decodes webrtcbin's picture (frames rising) and hears its tone (energy rising). */
async function expectOurPageReceives(viewer: Participant, gstId: string, what: string): Promise<void> {
  await expect.poll(() => remoteVideoWidth(viewer.page, gstId), { timeout: 25_000, message: `${what}: our page shows webrtcbin's video` }).toBeGreaterThan(0);
  await expectFramesRising(viewer, gstId);
  await expect.poll(async () => (await inbound(viewer.page, gstId))?.audioPackets ?? 0, { timeout: 20_000, message: `${what}: our page receives webrtcbin's audio` }).toBeGreaterThan(0);
  const energy = await audioEnergy(viewer.page, gstId);
  await expect.poll(() => audioEnergy(viewer.page, gstId), { timeout: 20_000, message: `${what}: webrtcbin's tone is audible on our page` }).toBeGreaterThan(energy);
}

/** webrtcbin decodes our page's video frames and audio buffers, both still rising. */
async function expectGstReceives(peer: GstPeer, ourId: string, what: string): Promise<void> {
  await expect.poll(() => totals(peer.decodedFrom(ourId)).frames, { timeout: 25_000, message: `${what}: webrtcbin decodes our video` }).toBeGreaterThan(0);
  await expect.poll(() => totals(peer.decodedFrom(ourId)).audio, { timeout: 25_000, message: `${what}: webrtcbin decodes our audio` }).toBeGreaterThan(0);
  const before = totals(peer.decodedFrom(ourId));
  await expect.poll(() => totals(peer.decodedFrom(ourId)).frames, { timeout: 20_000, message: `${what}: our video frames keep coming at webrtcbin` }).toBeGreaterThan(before.frames);
  await expect.poll(() => totals(peer.decodedFrom(ourId)).audio, { timeout: 20_000, message: `${what}: our audio keeps coming at webrtcbin` }).toBeGreaterThan(before.audio);
}

/** Fresh connections webrtcbin was asked for (an offer with a new DTLS certificate). */
function freshConnections(peer: GstPeer): number {
  return peer.events.filter((e) => e.event === 'rebuilt').length;
}

/**
 * Share the screen and stop: the call goes on during and after it, ending with our connection to
 * webrtcbin stable (no offer left hanging). Then webrtcbin leaves and its tile goes.
 */
async function shareStopAndLeave(viewer: Participant, peer: GstPeer, gstId: string, allowedFreshConnections: number): Promise<void> {
  const ourId = await viewer.peerId();
  await viewer.page.getByTestId('toggle-screen').click();
  await expect(viewer.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'true');
  await expect(viewer.page.getByTestId('screen-tile')).toBeVisible();
  await expectGstReceives(peer, ourId, 'while sharing');
  await expectFramesRising(viewer, gstId);

  await viewer.page.getByTestId('toggle-screen').click();
  await expect(viewer.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'false');
  await expect(viewer.page.getByTestId('screen-tile')).toHaveCount(0);
  await expectGstReceives(peer, ourId, 'after sharing');
  await expectOurPageReceives(viewer, gstId, 'after sharing');
  await expect.poll(() => signalingState(viewer.page, gstId), { message: 'our connection to webrtcbin ends stable' }).toBe('stable');
  expect(peer.errors(), 'webrtcbin saw no failed negotiation').toEqual([]);
  expect(freshConnections(peer), 'fresh connections (a rejected answer is recovered from once, never in a loop)').toBeLessThanOrEqual(allowedFreshConnections);

  await expect(tileOf(viewer.page, gstId)).toHaveCount(1);
  await peer.leave(); // `leave`, then a close frame
  // Within a second of webrtcbin's goodbye (the deadline starts even later: after its exit).
  await expect(tileOf(viewer.page, gstId)).toHaveCount(0, { timeout: 1_000 });
  await expect.poll(() => viewer.page.evaluate(() => window.__pulsemeet.roster().filter((e) => e.event === 'removed').length)).toBe(1);
}

async function signalingState(viewer: Page, remoteId: string): Promise<string> {
  return viewer.evaluate((id) => (window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined)?.signalingState ?? 'none', remoteId);
}

/** The payload type `sdp` maps to `codec` in its first `kind` section. */
function payloadType(sdp: string, kind: string, codec: string): number | undefined {
  const section = sdp.split(/^(?=m=)/m).find((s) => s.startsWith(`m=${kind} `)) ?? '';
  const found = new RegExp(`^a=rtpmap:(\\d+) ${codec}/`, 'mi').exec(section);
  return found ? Number(found[1]) : undefined;
}

test('webrtcbin there first offers; our page answers: media both ways, no renegotiation until needed, screen share, leave', async ({ browser }) => {
  const roomId = `e2e-gst-offers-${Date.now().toString(36)}`;
  gst = startGstPeer(server.baseURL, roomId, 'GStreamer');
  const gstId = await gst.peerId();
  page = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  const ourId = await page.peerId();
  await gst.waitFor((e) => e.event === 'offer-sent' && e.peerId === ourId, 20_000, 'offer to our page');

  await expectOurPageReceives(page, gstId, 'webrtcbin offered');
  await expectGstReceives(gst, ourId, 'webrtcbin offered');
  // Nobody chatted or shared yet: our page answered, and has nothing to renegotiate.
  expect(gst.events.filter((e) => e.event === 'offer-received').map((e) => e.media), 'offers our page made before anyone chatted or shared').toEqual([]);
  // Sharing re-offers to webrtcbin, which answers with the wrong DTLS role: one fresh connection.
  await shareStopAndLeave(page, gst, gstId, 1);
});

test('our page there first offers (chat included); webrtcbin answers with the offer\'s payload types: media both ways, screen share, leave', async ({ browser }) => {
  const roomId = `e2e-gst-answers-${Date.now().toString(36)}`;
  page = await joinCall(browser, server.baseURL, roomId, 'Ada Lovelace');
  const ourId = await page.peerId();
  gst = startGstPeer(server.baseURL, roomId, 'GStreamer');
  const gstId = await gst.peerId();
  await gst.waitFor((e) => e.event === 'answer-sent' && e.peerId === ourId, 20_000, 'answer to our page');

  await expectOurPageReceives(page, gstId, 'webrtcbin answered');
  await expectGstReceives(gst, ourId, 'webrtcbin answered');
  // Chat is offered in the first offer we make, so nothing needs renegotiating to add it later.
  const firstOffer = await gst.waitFor((e) => e.event === 'offer-received', 1_000, 'our first offer');
  expect(firstOffer.media).toContain('application');
  // webrtcbin's answer (its sending caps) carries our offer's payload types (docs/protocol.md).
  const descriptions = await page.page.evaluate((id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection;
    return { offer: pc.localDescription?.sdp ?? '', answer: pc.remoteDescription?.sdp ?? '' };
  }, gstId);
  expect(payloadType(descriptions.answer, 'video', 'VP8')).toBe(payloadType(descriptions.offer, 'video', 'VP8'));
  expect(payloadType(descriptions.answer, 'audio', 'opus')).toBe(payloadType(descriptions.offer, 'audio', 'opus'));
  expect(payloadType(descriptions.offer, 'video', 'VP8')).toBeDefined();
  // webrtcbin answers every re-offer with the same DTLS role: no fresh connection is needed.
  await shareStopAndLeave(page, gst, gstId, 0);
});
