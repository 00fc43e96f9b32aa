// The mesh on its own, without a Room: two MeshTransports wired back to back through a fake relay
// (the signaling server's part: stamp the sender, deliver to the target), or one driven by hand.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage } from '../protocol/messages';
import type { LocalTracks, PeerSessionTimers } from '../rtc/PeerSession';
import { FakePeerConnection, fakeTrack, settle } from '../test/fakes';
import type { MediaMessage, TransportSettings } from './MediaTransport';
import { MeshTransport, REJECTED_ANSWER_REBUILD_DELAYS_MS } from './MeshTransport';

const STUN: RTCIceServer[] = [{ urls: 'stun:127.0.0.1:1' }];

interface Side {
  transport: MeshTransport;
  sent: ClientMessage[];
  changed: string[];
  chats: Array<[string, string]>;
  local: LocalTracks;
}

let made: MeshTransport[] = [];

function side(localId: string, settings: Partial<TransportSettings> = {}, deliver?: (msg: ClientMessage) => void, timers?: PeerSessionTimers): Side {
  const sent: ClientMessage[] = [];
  const changed: string[] = [];
  const chats: Array<[string, string]> = [];
  const local: LocalTracks = { audio: fakeTrack('audio'), video: fakeTrack('video'), stream: null };
  const transport = new MeshTransport({
    createPeerConnection: (c) => new FakePeerConnection(c),
    localTracks: () => local,
    send: (msg) => {
      sent.push(msg);
      deliver?.(msg);
      return true;
    },
    events: { remoteChanged: (id) => changed.push(id), chatReceived: (id, text) => chats.push([id, text]) },
    timers,
  });
  transport.start({ localId, iceServers: STUN, iceTransportPolicy: 'all', ...settings });
  made.push(transport);
  return { transport, sent, changed, chats, local };
}

/** What the signaling server does with a relayed message: stamp the sender, hand it to the target. */
function relayed(from: string, msg: ClientMessage): MediaMessage {
  if (msg.type === 'offer' || msg.type === 'answer') return { type: msg.type, peerId: from, data: msg.data };
  if (msg.type === 'ice-candidate') return { type: 'ice-candidate', peerId: from, data: msg.data };
  throw new Error(`not relayed: ${msg.type}`);
}

/** Ada was in the room first; Bo joined after her. Messages go through an asynchronous relay. */
function pair() {
  const peers = new Map<string, Side>();
  const relay = (from: string) => (msg: ClientMessage) => {
    setTimeout(() => peers.get((msg as { targetId: string }).targetId)?.transport.handleMessage(relayed(from, msg)), 0);
  };
  const ada = side('ada', {}, relay('ada'));
  const bo = side('bo', {}, relay('bo'));
  peers.set('ada', ada).set('bo', bo);
  bo.transport.addPeer('ada', false);
  ada.transport.addPeer('bo', true);
  return { ada, bo };
}

const pcOf = (s: Side, peerId: string) => s.transport.connections().get(peerId) as FakePeerConnection;
const ofType = (s: Side, type: string) => s.sent.filter((m) => m.type === type);

beforeEach(() => {
  FakePeerConnection.instances = [];
  made = [];
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  made.forEach((t) => t.close());
  vi.restoreAllMocks();
});

describe('MeshTransport: negotiation', () => {
  it('the peer already in the room offers, the newcomer answers, and the newcomer receives its tracks', async () => {
    const { ada, bo } = pair();
    await settle();
    expect(ofType(ada, 'offer')).toHaveLength(1);
    expect(ofType(bo, 'offer')).toHaveLength(0);
    expect(ofType(bo, 'answer')).toHaveLength(1);
    expect([pcOf(ada, 'bo').signalingState, pcOf(bo, 'ada').signalingState]).toEqual(['stable', 'stable']);
    expect(pcOf(ada, 'bo').config).toEqual({ iceServers: STUN, iceTransportPolicy: 'all' });
    // Bo's connection got Ada's microphone and camera; each arrival was reported.
    const fromAda = bo.transport.remote('ada')!;
    expect(fromAda.audioTrack?.kind).toBe('audio');
    expect(fromAda.videoTrack?.kind).toBe('video');
    expect(bo.changed.filter((id) => id === 'ada').length).toBeGreaterThanOrEqual(2);
    // Bo answers with his own tracks on the transceivers Ada's offer made.
    const senders = pcOf(bo, 'ada').transceivers.map((t) => t.sender.track);
    expect(senders).toEqual(expect.arrayContaining([bo.local.audio, bo.local.video]));
  });

  it('a newcomer opens nothing until the offer; a candidate ahead of it is kept for it', async () => {
    const bo = side('bo');
    bo.transport.addPeer('ada', false);
    expect(bo.transport.connections().size).toBe(0);
    const other = new FakePeerConnection({});
    other.addTransceiver('audio');
    other.addTransceiver('video');
    await other.setLocalDescription();
    bo.transport.handleMessage({ type: 'ice-candidate', peerId: 'ada', data: { candidate: 'early' } });
    bo.transport.handleMessage({ type: 'offer', peerId: 'ada', data: { type: 'offer', sdp: other.localDescription!.sdp } });
    bo.transport.handleMessage({ type: 'ice-candidate', peerId: 'ada', data: { candidate: 'late' } });
    await settle();
    expect(pcOf(bo, 'ada').addedCandidates.map((c) => c.candidate)).toEqual(['early', 'late']);
    expect(ofType(bo, 'answer')).toEqual([{ type: 'answer', targetId: 'ada', data: expect.objectContaining({ type: 'answer' }) }]);
  });

  it('ignores negotiation from peers it was never told about, and answers for closed connections', async () => {
    const ada = side('ada');
    ada.transport.handleMessage({ type: 'offer', peerId: 'ghost', data: { type: 'offer', sdp: 'v=0\r\n' } });
    ada.transport.handleMessage({ type: 'ice-candidate', peerId: 'ghost', data: { candidate: 'c' } });
    ada.transport.addPeer('bo', true);
    ada.transport.removePeer('bo');
    ada.transport.handleMessage({ type: 'answer', peerId: 'bo', data: { type: 'answer', sdp: 'v=0\r\n' } });
    await settle();
    expect(FakePeerConnection.instances).toHaveLength(1);
    expect(FakePeerConnection.instances[0]!.closed).toBe(true);
    expect(ada.transport.remote('bo')).toBeNull();
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('uses the relay-only policy and the ICE servers it was started with', () => {
    const ada = side('ada', { iceTransportPolicy: 'relay', iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }] });
    ada.transport.addPeer('bo', true);
    expect(FakePeerConnection.instances[0]!.config).toEqual({ iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' });
  });

  it('a retry, or a peer that joins anew, gets a fresh connection and drops what the old one received', async () => {
    const { ada, bo } = pair();
    await settle();
    const first = pcOf(bo, 'ada');
    expect(bo.transport.remote('ada')!.videoTrack).not.toBeNull();
    bo.transport.reconnectPeer('ada');
    expect(first.closed).toBe(true);
    expect(bo.transport.remote('ada')).toMatchObject({ audioTrack: null, videoTrack: null, connectionState: 'new' });
    const again = pcOf(ada, 'bo');
    ada.transport.addPeer('bo', true);
    expect(again.closed).toBe(true);
    expect(pcOf(ada, 'bo')).not.toBe(again);
  });

  it('the impolite side replaces a connection an ICE restart did not repair, and says so', async () => {
    const zed = side('zed'); // 'zed' > 'bo': impolite
    zed.transport.addPeer('bo', true);
    await settle();
    const pc = pcOf(zed, 'bo');
    pc.setConnectionState('failed'); // first: an ICE restart
    expect(pc.restartIceCalls).toBe(1);
    pc.setConnectionState('failed'); // still failed: a new RTCPeerConnection
    expect(pc.closed).toBe(true);
    expect(pcOf(zed, 'bo')).not.toBe(pc);
    expect(zed.transport.remote('bo')!.connectionState).toBe('new');
    expect(zed.changed.at(-1)).toBe('bo');
  });
});

describe('MeshTransport: a pair that cannot connect', () => {
  it('without TURN, a failed link tells the server (mesh-unreachable) so it can move the room to the media server', async () => {
    const zed = side('zed');
    zed.transport.addPeer('bo', true);
    await settle();
    expect(ofType(zed, 'mesh-unreachable')).toEqual([]);
    pcOf(zed, 'bo').setConnectionState('failed');
    expect(ofType(zed, 'mesh-unreachable')).toEqual([{ type: 'mesh-unreachable', targetId: 'bo' }]);
  });

  it('with a TURN relay configured it does not: the relay is the way through', async () => {
    const zed = side('zed', { iceServers: [{ urls: 'turn:127.0.0.1:1', username: 'u', credential: 'p' }] });
    zed.transport.addPeer('bo', true);
    await settle();
    pcOf(zed, 'bo').setConnectionState('failed');
    expect(ofType(zed, 'mesh-unreachable')).toEqual([]);
  });
});

describe('MeshTransport: what we send', () => {
  it('a switched camera replaces the track on every connection without a new offer', async () => {
    const ada = side('ada');
    ada.transport.addPeer('bo', true);
    ada.transport.addPeer('cy', true);
    await settle();
    const cam2 = fakeTrack('video', 'cam2');
    ada.transport.replaceTrack('video', cam2);
    await settle();
    for (const pc of FakePeerConnection.instances) expect(pc.transceivers.find((t) => t.receiver.track.kind === 'video')!.sender.track).toBe(cam2);
    expect(ofType(ada, 'offer')).toHaveLength(2);
  });

  it('a screen share goes to every connection, including ones made while it lasts, and stops on all', async () => {
    const ada = side('ada');
    ada.transport.addPeer('bo', true);
    await settle();
    const screen = fakeTrack('video', 'screen');
    ada.transport.setScreenShare({ track: screen, stream: {} as MediaStream });
    ada.transport.addPeer('cy', true);
    await settle();
    for (const pc of FakePeerConnection.instances) expect(pc.transceivers.filter((t) => t.sender.track === screen)).toHaveLength(1);
    ada.transport.setScreenShare(null);
    await settle();
    for (const pc of FakePeerConnection.instances) expect(pc.transceivers.at(-1)).toMatchObject({ direction: 'inactive', sender: { track: null } });
  });

  it('chat goes on each data channel and reports whom it reached; what arrives is checked first', async () => {
    const ada = side('ada');
    ada.transport.addPeer('bo', true);
    ada.transport.addPeer('cy', true);
    ada.transport.addPeer('di', false); // no connection yet: cannot be reached
    const [toBo, toCy] = FakePeerConnection.instances.map((pc) => pc.dataChannels[0]!);
    toBo!.open();
    expect([...ada.transport.sendChat('hello <b>all</b>')]).toEqual(['bo']);
    expect(toBo!.sent.map((d) => JSON.parse(d) as unknown)).toEqual([{ type: 'chat', text: 'hello <b>all</b>' }]);
    toCy!.open();
    toCy!.receive(JSON.stringify({ type: 'chat', text: 'hi back' }));
    toCy!.receive('not json');
    toCy!.receive(JSON.stringify({ type: 'chat', text: '   ' }));
    expect(ada.chats).toEqual([['cy', 'hi back']]);
  });
});

describe('MeshTransport: measuring and adapting', () => {
  const inbound = (bytes: number, packets: number, lost: number) => ({ id: 'in-v', type: 'inbound-rtp', kind: 'video', bytesReceived: bytes, packetsReceived: packets, packetsLost: lost });

  it('samples each connection for the quality panel and caps what the camera sends by room size, then by loss', async () => {
    let now = 1_000_000;
    const changed: string[] = [];
    const ada = new MeshTransport({
      createPeerConnection: (c) => new FakePeerConnection(c),
      localTracks: () => ({ audio: fakeTrack('audio'), video: fakeTrack('video'), stream: null }),
      send: () => true,
      events: { remoteChanged: (id) => changed.push(id), chatReceived: () => undefined },
      now: () => now,
    });
    made.push(ada);
    ada.start({ localId: 'ada', iceServers: STUN, iceTransportPolicy: 'all' });
    ada.addPeer('bo', true);
    ada.addPeer('cy', true);
    await settle();
    const pcBo = FakePeerConnection.instances[0]!;
    const cameraOf = (pc: FakePeerConnection) => pc.transceivers.find((t) => t.receiver.track.kind === 'video')!.sender;

    // Limits apply from the moment media flows: two uploads, 900 kbps each.
    pcBo.setConnectionState('connected');
    expect(ada.remote('bo')!.sendQuality).toMatchObject({ maxBitrateKbps: 900, reason: 'room size' });
    expect(ada.remote('cy')!.sendQuality).toBeNull();
    await settle();
    expect(cameraOf(pcBo).encodings).toEqual([{ maxBitrate: 900_000, scaleResolutionDownBy: 1, maxFramerate: 30 }]);

    pcBo.stats = [inbound(0, 0, 0)];
    expect(await ada.measure()).toBe(true);
    now += 2_000;
    pcBo.stats = [inbound(250_000, 900, 100)]; // 1 Mbit/s, 10 % lost
    expect(await ada.measure()).toBe(true);
    const bo = ada.remote('bo')!;
    expect(bo.metrics).toMatchObject({ bitrateKbps: 1000, lossPercent: 10, level: 'poor' });
    expect(bo.history.map((p) => p.kbps)).toEqual([0, 1000]);
    expect(bo.sendQuality).toMatchObject({ maxBitrateKbps: 360, reason: 'packet loss' });
    await settle();
    expect(cameraOf(pcBo).encodings[0]!.maxBitrate).toBe(360_000);
    expect(changed).toContain('bo');
    expect(ada.remote('cy')!.sendQuality).toBeNull(); // not connected: nothing to limit yet
  });

  it('a limit the browser refused is tried again at the next measurement', async () => {
    const ada = side('ada');
    ada.transport.addPeer('bo', true);
    await settle();
    const pc = FakePeerConnection.instances[0]!;
    const camera = pc.transceivers.find((t) => t.receiver.track.kind === 'video')!.sender as unknown as { refuseParameters: boolean; encodings: RTCRtpEncodingParameters[] };
    camera.refuseParameters = true;
    pc.setConnectionState('connected');
    await settle();
    expect(ada.transport.remote('bo')!.sendQuality).toBeNull();
    camera.refuseParameters = false;
    expect(await ada.transport.measure()).toBe(true);
    await settle();
    expect(camera.encodings[0]!.maxBitrate).toBe(1_500_000);
  });

  it('reports audio levels from the energy heard between two calls, 0 for a remote without a connection', async () => {
    const ada = side('ada');
    ada.transport.addPeer('bo', true);
    ada.transport.addPeer('cy', false);
    const pc = FakePeerConnection.instances[0]!;
    const audio = (energy: number, seconds: number) => [{ id: 'in-a', type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: energy, totalSamplesDuration: seconds }];
    pc.stats = audio(0, 10);
    await ada.transport.audioLevels(['bo']);
    pc.stats = audio(0.25, 11); // RMS 0.5 over the last second
    expect(await ada.transport.audioLevels(['bo', 'cy', 'nobody'])).toEqual(new Map([['bo', 0.5], ['cy', 0], ['nobody', 0]]));
  });
});

describe('MeshTransport: ICE', () => {
  it('fresh credentials restart ICE on connections that gathered, reach one still waiting without a restart, and go to later ones', async () => {
    const ada = side('ada');
    ada.transport.addPeer('bo', true);
    ada.transport.addPeer('cy', false);
    ada.transport.handleMessage({ type: 'ice-candidate', peerId: 'cy', data: { candidate: 'early' } }); // opens the answering side
    await settle();
    const [pcBo, pcCy] = FakePeerConnection.instances as [FakePeerConnection, FakePeerConnection];
    expect(ada.transport.hasOpenConnections()).toBe(true);
    const fresh: RTCIceServer[] = [{ urls: 'turn:127.0.0.1:3478', username: '2000000000:ada', credential: 'new' }];
    ada.transport.renewIceServers(fresh);
    expect(pcBo.config.iceServers).toEqual(fresh);
    expect(pcBo.restartIceCalls).toBe(1);
    expect(pcCy.config.iceServers).toEqual(fresh);
    expect(pcCy.restartIceCalls).toBe(0);
    ada.transport.addPeer('di', true);
    expect(FakePeerConnection.instances[2]!.config.iceServers).toEqual(fresh);
    ada.transport.close();
    expect(FakePeerConnection.instances.every((pc) => pc.closed)).toBe(true);
    expect(ada.transport.hasOpenConnections()).toBe(false);
    expect(ada.transport.connections().size).toBe(0);
  });
});

describe('MeshTransport: a remote whose answers cannot be taken (issue 16)', () => {
  /** An answer as webrtcbin writes it: the DTLS role it picked this time. */
  const answerFrom = (peerId: string, role: 'active' | 'passive'): MediaMessage => ({
    type: 'answer',
    peerId,
    data: { type: 'answer', sdp: `v=0\r\na=fingerprint:sha-256 GS:TR:EA:M0\r\na=setup:${role}\r\nm=audio\r\nm=video\r\nm=application\r\n` },
  });

  function manualTimers() {
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const timers: PeerSessionTimers = {
      setTimeout: (fn, ms) => {
        const h = { fn, ms };
        pending.push(h);
        return h;
      },
      clearTimeout: (h) => {
        const i = pending.indexOf(h as { fn: () => void; ms: number });
        if (i >= 0) pending.splice(i, 1);
      },
    };
    return { pending, timers };
  }

  it('rolls back, recovers once at once with a fresh connection, and further refusals wait for the backoff', async () => {
    const mt = manualTimers();
    const ada = side('ada', {}, undefined, mt.timers);
    ada.transport.addPeer('gst', true);
    await settle();
    const first = pcOf(ada, 'gst');
    ada.transport.handleMessage(answerFrom('gst', 'active'));
    await settle();
    first.setConnectionState('connected');

    // Sharing the screen re-offers; webrtcbin answers with the other role.
    ada.transport.setScreenShare({ track: fakeTrack('video', 'screen'), stream: {} as MediaStream });
    await settle();
    expect(ofType(ada, 'offer')).toHaveLength(2);
    ada.transport.handleMessage(answerFrom('gst', 'passive'));
    await settle(40);
    // The old code kept this connection, stuck in have-local-offer (in Chromium even the rollback
    // fails then), with no way to renegotiate ever again.
    expect(first.closed).toBe(true);
    const second = pcOf(ada, 'gst');
    expect(second).not.toBe(first);
    expect(FakePeerConnection.instances).toHaveLength(2);
    // The fresh connection's first offer carries everything: audio, camera, the screen, chat.
    const offer = ofType(ada, 'offer')[2] as { data: { sdp: string } };
    expect(offer.data.sdp.match(/^m=\w+/gm)).toEqual(['m=audio', 'm=video', 'm=video', 'm=application']);
    expect(ofType(ada, 'offer')).toHaveLength(3);

    // Its first answer is fine; an ICE restart before it ever connected is refused again: the
    // next fresh connection waits for the backoff, and no offer goes out meanwhile.
    ada.transport.handleMessage(answerFrom('gst', 'active'));
    await settle();
    ada.transport.renewIceServers(STUN);
    await settle();
    ada.transport.handleMessage(answerFrom('gst', 'passive'));
    await settle(40);
    expect(second.closed).toBe(false); // keeps carrying media meanwhile
    expect(FakePeerConnection.instances).toHaveLength(2);
    expect(ofType(ada, 'offer')).toHaveLength(4);
    expect(mt.pending.map((p) => p.ms)).toContain(REJECTED_ANSWER_REBUILD_DELAYS_MS[1]);
    mt.pending.find((p) => p.ms === REJECTED_ANSWER_REBUILD_DELAYS_MS[1])!.fn();
    await settle();
    expect(FakePeerConnection.instances).toHaveLength(3);
    expect(ofType(ada, 'offer')).toHaveLength(5);
  });

  it('gives up after the last wait; a Retry starts over', async () => {
    const mt = manualTimers();
    const ada = side('ada', {}, undefined, mt.timers);
    ada.transport.addPeer('gst', true);
    const refuseOnce = async () => {
      await settle();
      ada.transport.handleMessage(answerFrom('gst', 'active'));
      await settle();
      pcOf(ada, 'gst').restartIce();
      await settle();
      ada.transport.handleMessage(answerFrom('gst', 'passive'));
      await settle(40);
    };
    await refuseOnce(); // fresh connection at once
    for (const delay of REJECTED_ANSWER_REBUILD_DELAYS_MS.slice(1)) {
      await refuseOnce();
      const timer = mt.pending.find((p) => p.ms === delay)!;
      mt.pending.splice(mt.pending.indexOf(timer), 1);
      timer.fn();
    }
    const made = FakePeerConnection.instances.length;
    expect(made).toBe(1 + REJECTED_ANSWER_REBUILD_DELAYS_MS.length);
    await refuseOnce();
    expect(FakePeerConnection.instances).toHaveLength(made);
    expect(mt.pending.filter((p) => REJECTED_ANSWER_REBUILD_DELAYS_MS.includes(p.ms))).toEqual([]);
    ada.transport.reconnectPeer('gst');
    await refuseOnce();
    expect(FakePeerConnection.instances).toHaveLength(made + 2);
  });
});
