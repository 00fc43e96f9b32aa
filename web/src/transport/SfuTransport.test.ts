// The SFU transport on its own, against a scripted media server: the test reads the sfu-offers
// the transport sends and answers them as the server would (sfu-answer with the mids it forwards).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage, ForwardedTrack } from '../protocol/messages';
import type { LocalTracks } from '../rtc/PeerSession';
import type { PeerConnectionLike } from '../rtc/peerConnectionLike';
import { FakePeerConnection, fakeTrack, settle } from '../test/fakes';
import type { TransportSettings } from './MediaTransport';
import { SfuTransport, type SfuTransportOptions } from './SfuTransport';

const STUN: RTCIceServer[] = [{ urls: 'stun:127.0.0.1:1' }];

let made: SfuTransport[] = [];

function sfu(settings: Partial<TransportSettings> = {}, options: Partial<SfuTransportOptions> = {}) {
  const sent: ClientMessage[] = [];
  const changed: string[] = [];
  const local: LocalTracks = { audio: fakeTrack('audio', 'mic'), video: fakeTrack('video', 'cam'), stream: null };
  let socketOpen = true;
  const transport = new SfuTransport({
    createPeerConnection: (c) => new FakePeerConnection(c),
    localTracks: () => local,
    send: (msg) => {
      if (!socketOpen) return false;
      sent.push(msg);
      return true;
    },
    events: { remoteChanged: (id) => changed.push(id), chatReceived: () => undefined },
    random: () => 0,
    ...options,
  });
  made.push(transport);
  const start = (more: Partial<TransportSettings> = {}) => transport.start({ localId: 'ada', iceServers: STUN, iceTransportPolicy: 'all', ...settings, ...more });
  start();
  const pc = () => FakePeerConnection.instances.at(-1)!;
  const offers = () => sent.filter((m): m is Extract<ClientMessage, { type: 'sfu-offer' }> => m.type === 'sfu-offer');
  /** The media server answers the offer it got last, forwarding `tracks`. */
  const answer = async (tracks: ForwardedTrack[] = []) => {
    transport.handleMessage({ type: 'sfu-answer', sdp: 'v=0\r\nanswer\r\n', tracks });
    await settle();
  };
  const setSocket = (open: boolean) => (socketOpen = open);
  return { transport, sent, changed, local, pc, offers, answer, start, setSocket };
}

/** Our m-lines that receive, as [mid, kind] in order. */
const receivers = (pc: FakePeerConnection) => pc.transceivers.filter((t) => t.direction === 'recvonly').map((t) => [t.mid, t.receiver.track.kind]);

beforeEach(() => {
  FakePeerConnection.instances = [];
  made = [];
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  made.forEach((t) => t.close());
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SfuTransport: the offer', () => {
  it('sends microphone then camera on one connection, with the relay policy, and trickles no candidates', async () => {
    const t = sfu({ iceTransportPolicy: 'relay' });
    t.transport.addPeer('bo', false);
    await settle();
    expect(FakePeerConnection.instances).toHaveLength(1);
    expect(t.pc().config).toEqual({ iceServers: STUN, iceTransportPolicy: 'relay' });
    // Bo, known before the first offer: receiving m-lines for its microphone and camera in it.
    expect(t.pc().transceivers.map((x) => [x.direction, x.receiver.track.kind, x.sender.track])).toEqual([
      ['sendonly', 'audio', t.local.audio],
      ['sendonly', 'video', t.local.video],
      ['recvonly', 'audio', null],
      ['recvonly', 'video', null],
    ]);
    expect(t.offers()).toEqual([{ type: 'sfu-offer', sdp: t.pc().localDescription!.sdp }]);
    t.pc().emitCandidate('candidate:1 1 udp 1 192.0.2.1 5000 typ host');
    expect(t.sent.map((m) => m.type)).toEqual(['sfu-offer']);
    // A second peer adds its receiving m-lines for the next offer, and no offer of its own: the
    // media server says when it has something to forward (sfu-tracks).
    t.transport.addPeer('cy', false);
    await settle();
    expect(FakePeerConnection.instances).toHaveLength(1);
    expect(receivers(t.pc())).toEqual([['2', 'audio'], ['3', 'video'], [null, 'audio'], [null, 'video']]);
    expect(t.offers()).toHaveLength(1);
  });

  it('on sfu-tracks adds receiving m-lines and offers again, only after the offer out is answered', async () => {
    const t = sfu();
    t.transport.addPeer('bo', false);
    t.transport.addPeer('cy', false);
    await settle();
    // The first offer: a microphone and a camera m-line for each member.
    expect(receivers(t.pc())).toEqual([['2', 'audio'], ['3', 'video'], ['4', 'audio'], ['5', 'video']]);
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'bo', source: 'camera' }, { peerId: 'cy', source: 'camera' }] });
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'bo', source: 'camera' }, { peerId: 'cy', source: 'camera' }, { peerId: 'cy', source: 'screen' }] });
    await settle();
    expect(t.offers()).toHaveLength(1); // the first is not answered yet
    // Cy's screen is a third video: one more m-line.
    expect(t.pc().transceivers.filter((x) => x.direction === 'recvonly').map((x) => x.receiver.track.kind)).toEqual(['audio', 'video', 'audio', 'video', 'video']);
    await t.answer();
    expect(t.offers()).toHaveLength(2); // one re-offer for both changes
    const pc = t.pc();
    expect(receivers(pc)).toEqual([['2', 'audio'], ['3', 'video'], ['4', 'audio'], ['5', 'video'], ['6', 'video']]);

    t.changed.length = 0;
    await t.answer([
      { mid: '2', peerId: 'bo', source: 'microphone' },
      { mid: '3', peerId: 'bo', source: 'camera' },
      { mid: '5', peerId: 'cy', source: 'camera' },
      { mid: '6', peerId: 'cy', source: 'screen' },
    ]);
    expect(t.transport.remote('bo')).toMatchObject({ audioTrack: pc.transceivers[2]!.receiver.track, videoTrack: pc.transceivers[3]!.receiver.track, screenTrack: null });
    expect(t.transport.remote('cy')).toMatchObject({ audioTrack: null, videoTrack: pc.transceivers[5]!.receiver.track, screenTrack: pc.transceivers[6]!.receiver.track });
    expect(new Set(t.changed)).toEqual(new Set(['bo', 'cy']));
    expect(t.offers()).toHaveLength(2);

    // Cy stops sharing: the m-line stays (reused later), and its screen is gone from the tile.
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'bo', source: 'camera' }, { peerId: 'cy', source: 'camera' }] });
    await settle();
    await t.answer([
      { mid: '2', peerId: 'bo', source: 'microphone' },
      { mid: '3', peerId: 'bo', source: 'camera' },
      { mid: '5', peerId: 'cy', source: 'camera' },
    ]);
    expect(receivers(pc)).toHaveLength(5);
    expect(t.transport.remote('cy')!.screenTrack).toBeNull();
    expect(t.transport.remote('nobody')).toBeNull();
  });

  it('a late joiner receives everyone from its first answer: sfu-tracks before the first offer goes in it', async () => {
    const t = sfu();
    t.transport.addPeer('bo', false);
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'bo', source: 'camera' }] });
    await settle();
    expect(t.offers()).toHaveLength(1);
    await t.answer([
      { mid: '2', peerId: 'bo', source: 'microphone' },
      { mid: '3', peerId: 'bo', source: 'camera' },
    ]);
    const pc = t.pc();
    expect(t.transport.remote('bo')).toMatchObject({ audioTrack: pc.transceivers[2]!.receiver.track, videoTrack: pc.transceivers[3]!.receiver.track });
    expect(t.offers()).toHaveLength(1); // nothing left to offer
  });

  it('ignores a mid of the wrong kind, of its own senders, or of nothing', async () => {
    const t = sfu();
    t.transport.addPeer('bo', false);
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'camera' }] });
    await settle();
    await t.answer([
      { mid: '3', peerId: 'bo', source: 'microphone' }, // a video m-line
      { mid: '1', peerId: 'bo', source: 'camera' }, // our own camera
      { mid: '9', peerId: 'bo', source: 'screen' },
    ]);
    expect(t.transport.remote('bo')).toMatchObject({ audioTrack: null, videoTrack: null, screenTrack: null });
  });

  it('a rejoin re-sends an offer the dropped socket lost; a rejoin under a new id starts a new connection', async () => {
    const t = sfu();
    t.setSocket(false);
    await settle();
    expect(t.offers()).toHaveLength(0);
    t.setSocket(true);
    t.start();
    expect(t.offers()).toEqual([{ type: 'sfu-offer', sdp: t.pc().localDescription!.sdp }]);
    await t.answer();
    expect(t.pc().signalingState).toBe('stable');
    t.transport.handleMessage({ type: 'sfu-answer', sdp: 'v=0\r\n', tracks: [] }); // a second answer: dropped
    await settle();
    expect(console.warn).not.toHaveBeenCalled();

    const first = t.pc();
    t.start({ localId: 'ada-2' });
    await settle();
    expect(first.closed).toBe(true);
    expect(FakePeerConnection.instances).toHaveLength(2);
    expect(t.offers()).toHaveLength(2);
  });
});

describe('SfuTransport: a rejoin', () => {
  it('keeps a connection that works, and replaces at once one that gets nothing from the media server (it restarted)', async () => {
    const t = sfu();
    await settle();
    await t.answer();
    const first = t.pc();
    first.setConnectionState('connected');
    t.start();
    await settle();
    expect(FakePeerConnection.instances).toHaveLength(1);
    first.setConnectionState('disconnected');
    t.start();
    await settle();
    expect(first.closed).toBe(true);
    expect(FakePeerConnection.instances).toHaveLength(2);
    expect(t.offers().at(-1)).toEqual({ type: 'sfu-offer', sdp: t.pc().localDescription!.sdp });
  });
});

describe('SfuTransport: what we send', () => {
  it('a screen share is a second sending video, stopped as inactive and reused by the next share, each with one offer', async () => {
    const t = sfu();
    await settle();
    await t.answer();
    const screen = fakeTrack('video', 'screen');
    t.transport.setScreenShare({ track: screen, stream: {} as MediaStream });
    await settle();
    expect(t.offers()).toHaveLength(2);
    const pc = t.pc();
    expect(pc.transceivers.map((x) => [x.direction, x.sender.track])).toEqual([
      ['sendonly', t.local.audio],
      ['sendonly', t.local.video],
      ['sendonly', screen],
    ]);
    await t.answer();
    t.transport.setScreenShare(null);
    await settle();
    expect(pc.transceivers[2]).toMatchObject({ direction: 'inactive', sender: { track: null } });
    expect(t.offers()).toHaveLength(3);
    await t.answer();
    const again = fakeTrack('video', 'screen-2');
    t.transport.setScreenShare({ track: again, stream: {} as MediaStream });
    await settle();
    expect(pc.transceivers).toHaveLength(3);
    expect(pc.transceivers[2]).toMatchObject({ direction: 'sendonly', sender: { track: again } });
    expect(t.offers()).toHaveLength(4);
  });

  it('a switched camera or microphone replaces the track without an offer', async () => {
    const t = sfu();
    await settle();
    await t.answer();
    const cam2 = fakeTrack('video', 'cam2');
    t.transport.replaceTrack('video', cam2);
    t.transport.replaceTrack('audio', null);
    await settle();
    expect(t.pc().transceivers[1]!.sender.track).toBe(cam2);
    expect(t.pc().transceivers[0]!.sender.track).toBeNull();
    expect(t.offers()).toHaveLength(1);
  });

  it('chat goes over the WebSocket to every other member; nobody is reached while the socket is down', () => {
    const t = sfu();
    t.transport.addPeer('bo', false);
    t.transport.addPeer('cy', false);
    expect([...t.transport.sendChat('hello <b>all</b>')]).toEqual(['bo', 'cy']);
    expect(t.sent.at(-1)).toEqual({ type: 'chat', text: 'hello <b>all</b>' });
    t.setSocket(false);
    expect(t.transport.sendChat('anyone?').size).toBe(0);
  });
});

describe('SfuTransport: when the connection ends', () => {
  it('after sfu-closed connects again with backoff, drops an answer meant for the old connection, and never gives up', async () => {
    vi.useFakeTimers();
    const t = sfu({}, { backoff: { baseMs: 1_000, maxMs: 1_000, maxAttempts: 2, persistentMaxMs: 1_000 } });
    t.transport.addPeer('bo', false);
    await vi.advanceTimersByTimeAsync(10);
    const first = t.pc();
    t.transport.handleMessage({ type: 'sfu-closed', reason: 'handshakeTimeout' });
    expect(first.closed).toBe(true);
    expect(t.transport.remote('bo')!.connectionState).toBe('connecting');
    await vi.advanceTimersByTimeAsync(400); // backoff: at least half the step
    expect(FakePeerConnection.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(FakePeerConnection.instances).toHaveLength(2);
    const second = t.pc();
    await vi.advanceTimersByTimeAsync(10);
    // One offer out at a time, across connections too: the first one's answer is still due.
    expect(t.offers()).toHaveLength(1);
    t.transport.handleMessage({ type: 'sfu-answer', sdp: 'v=0\r\nold\r\n', tracks: [{ mid: '0', peerId: 'bo', source: 'microphone' }] });
    await vi.advanceTimersByTimeAsync(10);
    // It was not the second connection's; now the second one offers.
    expect(second.remoteDescription).toBeNull();
    expect(t.offers()).toEqual([expect.anything(), { type: 'sfu-offer', sdp: second.localDescription!.sdp }]);
    t.transport.handleMessage({ type: 'sfu-answer', sdp: 'v=0\r\nnew\r\n', tracks: [] });
    await vi.advanceTimersByTimeAsync(10);
    expect(second.remoteDescription?.sdp).toBe('v=0\r\nnew\r\n');

    second.setConnectionState('failed');
    expect(second.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    t.pc().setConnectionState('failed');
    // Past maxAttempts (2) the tiles say 'failed', and the attempts go on, persistentMaxMs apart
    // at most: a minute brings at least 60 more connections, each still shown as failed.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakePeerConnection.instances).toHaveLength(4);
    expect(t.transport.remote('bo')).toMatchObject({ connectionState: 'failed', connectIssue: { kind: 'no-relay' } });
    for (let i = 0; i < 60; i++) {
      t.pc().setConnectionState('connecting');
      expect(t.transport.remote('bo')!.connectionState).toBe('failed');
      t.pc().setConnectionState('failed');
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(FakePeerConnection.instances).toHaveLength(64);
    // One that comes up clears the failure and starts the count over.
    t.pc().setConnectionState('connected');
    expect(t.transport.remote('bo')).toMatchObject({ connectionState: 'connected', connectIssue: null });
    t.pc().setConnectionState('failed');
    expect(t.transport.remote('bo')!.connectionState).toBe('connecting');
    // The user's Retry tries at once.
    const before = FakePeerConnection.instances.length;
    t.transport.reconnectPeer('bo');
    expect(FakePeerConnection.instances).toHaveLength(before + 1);
  });

  it('an offer that could not be sent (socket down) is sent again once the socket is back, without a rejoin', async () => {
    vi.useFakeTimers();
    const t = sfu({}, { resendMs: 1_000, backoff: { baseMs: 1_000, maxMs: 1_000, maxAttempts: 2, persistentMaxMs: 1_000 } });
    t.transport.addPeer('bo', false);
    await vi.advanceTimersByTimeAsync(10);
    t.transport.handleMessage({ type: 'sfu-answer', sdp: 'v=0\r\nanswer\r\n', tracks: [] });
    await vi.advanceTimersByTimeAsync(10);
    // The socket goes down; the media connection fails meanwhile and a fresh one offers.
    t.setSocket(false);
    t.pc().setConnectionState('failed');
    await vi.advanceTimersByTimeAsync(1_000);
    const fresh = t.pc();
    expect(FakePeerConnection.instances).toHaveLength(2);
    expect(fresh.signalingState).toBe('have-local-offer');
    expect(t.offers()).toHaveLength(1); // the fresh one's could not go out
    await vi.advanceTimersByTimeAsync(3_000);
    expect(t.offers()).toHaveLength(1);
    // Back (a socket that reconnected without a room-joined for us): it goes out within resendMs.
    t.setSocket(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.offers()).toEqual([expect.anything(), { type: 'sfu-offer', sdp: fresh.localDescription!.sdp }]);
    t.transport.handleMessage({ type: 'sfu-answer', sdp: 'v=0\r\nanswer\r\n', tracks: [] });
    await vi.advanceTimersByTimeAsync(10);
    expect(fresh.remoteDescription?.sdp).toBe('v=0\r\nanswer\r\n');
    expect(FakePeerConnection.instances).toHaveLength(2);
  });

  it('an offer never answered is given up: the connection is made anew', async () => {
    vi.useFakeTimers();
    const t = sfu({}, { answerTimeoutMs: 5_000, backoff: { baseMs: 1_000, maxMs: 1_000, maxAttempts: 3, persistentMaxMs: 1_000 } });
    await vi.advanceTimersByTimeAsync(4_900);
    expect(FakePeerConnection.instances[0]!.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(FakePeerConnection.instances[0]!.closed).toBe(true);
    expect(FakePeerConnection.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(t.offers()).toHaveLength(2);
  });

  it('a refused offer (the room left the media server) is retried on a fresh connection', async () => {
    vi.useFakeTimers();
    const t = sfu({}, { backoff: { baseMs: 1_000, maxMs: 1_000, maxAttempts: 3, persistentMaxMs: 1_000 } });
    await vi.advanceTimersByTimeAsync(10);
    t.transport.handleMessage({ type: 'error', code: 'media-unavailable', error: 'the room is not on the media server' });
    await vi.advanceTimersByTimeAsync(10);
    expect(FakePeerConnection.instances[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakePeerConnection.instances).toHaveLength(2);
  });

  it('a connection that does not come up in time says why', async () => {
    vi.useFakeTimers();
    const t = sfu({ iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' }, { connectTimeoutMs: 5_000 });
    t.transport.addPeer('bo', false);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(t.transport.remote('bo')!.connectIssue).toBeNull();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.transport.remote('bo')!.connectIssue).toEqual({ kind: 'turn-unreachable', detail: null });
    t.pc().setConnectionState('connected');
    expect(t.transport.remote('bo')).toMatchObject({ connectionState: 'connected', connectIssue: null });
  });

  it('close says sfu-leave and closes the connection', async () => {
    const t = sfu();
    await settle();
    t.transport.close();
    expect(t.sent.at(-1)).toEqual({ type: 'sfu-leave' });
    expect(t.pc().closed).toBe(true);
    expect(t.transport.hasOpenConnections()).toBe(false);
    t.transport.close();
    expect(t.sent.filter((m) => m.type === 'sfu-leave')).toHaveLength(1);
  });
});

describe('SfuTransport: measuring', () => {
  /** Bo's microphone on mid 2 and camera on mid 3; Cy's camera on mid 4. */
  async function forwarding(now: () => number = () => Date.now()) {
    const t = sfu({}, { now });
    t.transport.addPeer('bo', false);
    t.transport.addPeer('cy', false);
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'bo', source: 'camera' }, { peerId: 'cy', source: 'camera' }] });
    await settle();
    await t.answer([
      { mid: '2', peerId: 'bo', source: 'microphone' },
      { mid: '3', peerId: 'bo', source: 'camera' },
      { mid: '5', peerId: 'cy', source: 'camera' },
    ]);
    return t;
  }
  const inbound = (mid: string, kind: string, more: Record<string, unknown>) => ({ id: `in-${mid}`, type: 'inbound-rtp', mid, kind, ...more });

  it("measures each remote by the receivers of its tracks, and limits the camera by the loss of our one upload", async () => {
    let now = 1_000_000;
    const t = await forwarding(() => now);
    const pc = t.pc();
    pc.setConnectionState('connected');
    expect(t.transport.remote('bo')!.sendQuality).toMatchObject({ maxBitrateKbps: 1500, reason: 'room size' });
    await settle();
    expect(pc.transceivers[1]!.sender.getParameters!().encodings).toEqual([{ maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 }]);

    const stats = (boBytes: number, cyBytes: number, cyLost: number, sent: number, lostUp: number) => [
      inbound('2', 'audio', { bytesReceived: boBytes / 10, packetsReceived: boBytes / 2500, packetsLost: 0 }),
      inbound('3', 'video', { bytesReceived: boBytes, packetsReceived: boBytes / 250, packetsLost: 0 }),
      inbound('5', 'video', { bytesReceived: cyBytes, packetsReceived: 9 * cyLost, packetsLost: cyLost }),
      { id: 'out-v', type: 'outbound-rtp', kind: 'video', packetsSent: sent, bytesSent: sent * 1000 },
      { id: 'rin-v', type: 'remote-inbound-rtp', kind: 'video', packetsLost: lostUp, roundTripTime: 0.05 },
    ];
    pc.stats = stats(0, 0, 0, 0, 0);
    expect(await t.transport.measure()).toBe(true);
    now += 2_000;
    pc.stats = stats(250_000, 125_000, 100, 1000, 120); // Bo 1 Mbit/s clean, Cy 0.5 Mbit/s 10 % lost; our upload 12 % lost
    expect(await t.transport.measure()).toBe(true);
    expect(t.transport.remote('bo')!.metrics).toMatchObject({ bitrateKbps: 1100, lossPercent: 0 });
    expect(t.transport.remote('cy')!.metrics).toMatchObject({ bitrateKbps: 500, lossPercent: 10, level: 'poor' });
    expect(t.transport.remote('cy')!.history.map((p) => p.kbps)).toEqual([0, 500]);
    expect(t.transport.remote('cy')!.sendQuality).toMatchObject({ maxBitrateKbps: 600, reason: 'packet loss' });
    await settle();
    expect(pc.transceivers[1]!.sender.getParameters!().encodings[0]!.maxBitrate).toBe(600_000);
  });

  it("counts frames decoded from a remote's camera only, and audio levels from its microphone's receiver", async () => {
    const t = await forwarding();
    const pc = t.pc();
    expect(await t.transport.framesDecoded('bo')).toBe(0);
    pc.stats = [
      inbound('3', 'video', { framesDecoded: 0 }),
      inbound('5', 'video', { framesDecoded: 12 }),
      inbound('2', 'audio', { totalAudioEnergy: 0, totalSamplesDuration: 10 }),
    ];
    expect([await t.transport.framesDecoded('bo'), await t.transport.framesDecoded('cy'), await t.transport.framesDecoded('nobody')]).toEqual([0, 12, 0]);
    await t.transport.audioLevels(['bo']);
    pc.stats = [inbound('2', 'audio', { totalAudioEnergy: 0.25, totalSamplesDuration: 11 })]; // RMS 0.5
    expect(await t.transport.audioLevels(['bo', 'cy'])).toEqual(new Map([['bo', 0.5], ['cy', 0]]));
  });
});

/** Bo's camera forwarded on mid 3, Cy's on mid 5. */
async function twoRemoteCameras(t: ReturnType<typeof sfu>): Promise<void> {
    t.transport.addPeer('bo', false);
    t.transport.addPeer('cy', false);
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'camera' }, { peerId: 'cy', source: 'camera' }] });
    await settle();
    await t.answer([
      { mid: '3', peerId: 'bo', source: 'camera' },
      { mid: '5', peerId: 'cy', source: 'camera' },
    ]);
}

describe('SfuTransport: a remote video that never decodes', () => {
  it('a camera whose packets arrive without a decoded frame for 4 s is mended by a fresh connection, at most once a minute', async () => {
    let now = 1_000_000;
    const t = sfu({}, { now: () => now });
    await twoRemoteCameras(t);
    const first = t.pc();
    first.setConnectionState('connected');
    const video = (mid: string, packetsReceived: number, framesDecoded: number) => ({ id: `in-${mid}`, type: 'inbound-rtp', kind: 'video', mid, packetsReceived, framesDecoded });
    // Bo's frames decode; Cy's packets come, and none of its frames decodes.
    const sampleAt = async (i: number) => {
      first.stats = [video('3', 100 * i, 15 * i), video('5', 100 * i, 0)];
      await t.transport.measure();
      now += 2_000;
    };
    for (let i = 1; i <= 3; i++) await sampleAt(i);
    expect(FakePeerConnection.instances).toHaveLength(1); // stuck for 2 s: Chrome's own key-frame requests may still help
    await sampleAt(4);
    expect(first.closed).toBe(true);
    expect(FakePeerConnection.instances).toHaveLength(2);

    // The new connection's Cy is stuck too: not again within the minute.
    await settle();
    await t.answer([
      { mid: '3', peerId: 'bo', source: 'camera' },
      { mid: '5', peerId: 'cy', source: 'camera' },
    ]);
    const second = t.pc();
    second.setConnectionState('connected');
    for (let i = 1; i <= 10; i++) {
      second.stats = [video('3', 100 * i, 15 * i), video('5', 100 * i, 0)];
      await t.transport.measure();
      now += 2_000;
    }
    expect(FakePeerConnection.instances).toHaveLength(2);
    for (let i = 11; i <= 30; i++) {
      second.stats = [video('3', 100 * i, 15 * i), video('5', 100 * i, 0)];
      await t.transport.measure();
      now += 2_000;
    }
    expect(FakePeerConnection.instances).toHaveLength(3);
  });

  it('a camera that sends nothing, or decodes slowly, is not stuck', async () => {
    let now = 1_000_000;
    const t = sfu({}, { now: () => now });
    t.transport.addPeer('bo', false);
    t.transport.handleMessage({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'camera' }] });
    await settle();
    await t.answer([{ mid: '3', peerId: 'bo', source: 'camera' }]);
    expect(t.transport.remote('bo')!.videoTrack).not.toBeNull(); // watched: its camera is mapped
    t.pc().setConnectionState('connected');
    for (let i = 1; i <= 20; i++) {
      // Nothing arrives for a while (camera off), then frames decode now and then.
      const packets = i < 10 ? 0 : 50 * i;
      const frames = i < 10 ? 0 : 3 * Math.floor(i / 2);
      t.pc().stats = [{ id: 'in-3', type: 'inbound-rtp', kind: 'video', mid: '3', packetsReceived: packets, framesDecoded: frames }];
      await t.transport.measure();
      now += 2_000;
    }
    expect(FakePeerConnection.instances).toHaveLength(1);
  });
});

describe('SfuTransport: a remote video that never decodes, in an end-to-end encrypted call', () => {
  it('a camera whose frames our transforms drop on purpose (no key, another key, not encrypted) is not stuck: no fresh connection for it', async () => {
    // Such frames never decode on any connection: making one anew each minute only broke
    // everyone else's media for a moment (and the browser test's frame counts with it).
    let now = 1_000_000;
    const withheld = new Set(['cy']);
    // Whether each connection handed to detach() was still open then (it must be: its transceivers).
    const detachedOpen: boolean[] = [];
    const e2ee = {
      attach: () => undefined,
      detach: (pc: PeerConnectionLike) => detachedOpen.push(!(pc as unknown as FakePeerConnection).closed),
      mapReceiver: () => undefined,
      withholds: (id: string) => withheld.has(id),
    };
    const t = sfu({}, { now: () => now, e2ee });
    await twoRemoteCameras(t);
    t.pc().setConnectionState('connected');
    const video = (mid: string, packetsReceived: number, framesDecoded: number) => ({ id: `in-${mid}`, type: 'inbound-rtp', kind: 'video', mid, packetsReceived, framesDecoded });
    let i = 0;
    const sample = async (boFrames: (i: number) => number) => {
      i += 1;
      t.pc().stats = [video('3', 100 * i, boFrames(i)), video('5', 100 * i, 0)];
      await t.transport.measure();
      now += 2_000;
    };
    for (let n = 0; n < 10; n++) await sample((k) => 15 * k);
    expect(FakePeerConnection.instances).toHaveLength(1);
    expect(detachedOpen).toEqual([]);
    // Once its frames open here again, a camera that does not decode is stuck as any other.
    withheld.clear();
    for (let n = 0; n < 4; n++) await sample((k) => 15 * k);
    expect(FakePeerConnection.instances).toHaveLength(2);
    // The old connection's receivers were let go before it closed (E2eeSession.detach).
    expect(detachedOpen).toEqual([true]);
  });
});

describe('SfuTransport: ICE', () => {
  it('fresh credentials go to the connection with an ICE restart and one new offer', async () => {
    const t = sfu();
    t.transport.addPeer('bo', false);
    await settle();
    await t.answer();
    const fresh: RTCIceServer[] = [{ urls: 'turn:127.0.0.1:3478', username: '2000000000:ada', credential: 'new' }];
    t.transport.renewIceServers(fresh);
    await settle();
    expect(t.pc().config.iceServers).toEqual(fresh);
    expect(t.pc().restartIceCalls).toBe(1);
    expect(t.offers()).toHaveLength(2);
    expect(t.transport.connections()).toEqual(new Map([['bo', t.pc()]]));
  });
});
