// Moving a call between mesh and media server, through Room: a fake socket plays the signaling
// server and the media server's signaling (sfu-answer, sfu-tracks), fake peer connections carry
// "media", and their getStats says when pictures decode.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalingClient } from '../signaling/SignalingClient';
import { FakeMedia, FakePeerConnection, FakeSocket } from '../test/fakes';
import { Room } from './Room';

let rooms: Room[] = [];

function setup(localId = 'me') {
  FakeSocket.instances = [];
  FakePeerConnection.instances = [];
  // No heartbeat: the fake server never answers pings.
  const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0, heartbeatIntervalMs: 1e9, heartbeatTimeoutMs: 1e9 });
  const room = new Room({
    roomId: 'brave-otter-42',
    name: 'Ada',
    signaling,
    media: new FakeMedia(),
    createPeerConnection: (c) => new FakePeerConnection(c),
    statsIntervalMs: 0,
    speakerIntervalMs: 0,
    switchDeadlineMs: 10_000,
  });
  rooms.push(room);
  room.join();
  const sock = FakeSocket.instances.at(-1)!;
  sock.open();
  const receive = (msg: Record<string, unknown>) => FakeSocket.instances.at(-1)!.receive(msg);
  const join = (mode: 'mesh' | 'sfu', peers: Array<{ peerId: string; name: string }> = []) =>
    receive({ type: 'room-joined', peerId: localId, mode, data: { peers, resumeToken: 'tok', iceServers: [{ urls: 'stun:127.0.0.1:1' }] } });
  const sent = (type: string) => FakeSocket.instances.flatMap((s) => s.sentOfType(type));
  const tileVideo = (id: string) => room.snapshot.remotes.find((r) => r.id === id)?.videoTrack ?? null;
  return { room, receive, join, sent, tileVideo };
}

const step = (ms = 10) => vi.advanceTimersByTimeAsync(ms);
const decoded = (frames: number) => [{ id: 'in-v', type: 'inbound-rtp', kind: 'video', framesDecoded: frames }];
/** What the media server's recvonly m-line `mid` decoded. */
const decodedOn = (mid: string, frames: number) => ({ id: `in-${mid}`, type: 'inbound-rtp', kind: 'video', mid, framesDecoded: frames });

/** A remote browser's offer of a microphone, a camera and chat (our client offers chat in its first offer). */
const offerFrom = (peerId: string) => ({ type: 'offer', peerId, data: { type: 'offer', sdp: `v=0\r\na=fingerprint:sha-256 RE:${peerId}\r\nm=audio\r\nm=video\r\nm=application\r\n` } });

/**
 * Cy (p2) and Di (p3) were in the room before us ('me'): they offered on the mesh, we answered, and
 * both connections carry video.
 */
async function meshWithTwo() {
  const t = setup();
  t.join('mesh', [
    { peerId: 'p2', name: 'Cy' },
    { peerId: 'p3', name: 'Di' },
  ]);
  t.receive(offerFrom('p2'));
  t.receive(offerFrom('p3'));
  await step();
  const mesh = [...FakePeerConnection.instances];
  for (const pc of mesh) {
    pc.setConnectionState('connected');
    pc.stats = decoded(100);
  }
  await step();
  return { ...t, mesh };
}

/** The media server answers our offers; the second answer forwards both members' microphone and camera. */
async function sfuForwardsBoth(t: ReturnType<typeof setup>) {
  t.receive({ type: 'sfu-answer', sdp: 'v=0\r\n', tracks: [] });
  t.receive({ type: 'sfu-tracks', tracks: ['p2', 'p3'].flatMap((peerId) => [{ peerId, source: 'microphone' }, { peerId, source: 'camera' }]) });
  await step();
  expect(t.sent('sfu-offer')).toHaveLength(2);
  // Our m-lines: 0 microphone, 1 camera, then receiving 2-3 for p2, 4-5 for p3 (audio, video).
  t.receive({
    type: 'sfu-answer',
    sdp: 'v=0\r\n',
    tracks: [
      { mid: '2', peerId: 'p2', source: 'microphone' },
      { mid: '3', peerId: 'p2', source: 'camera' },
      { mid: '4', peerId: 'p3', source: 'microphone' },
      { mid: '5', peerId: 'p3', source: 'camera' },
    ],
  });
  await step();
}

beforeEach(() => {
  rooms = [];
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  rooms.forEach((r) => r.leave());
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('TransportSwitch: mesh to media server', () => {
  it('connects to the media server while the mesh feeds the tiles, moves once every picture decodes there, then closes the mesh after a linger', async () => {
    const t = await meshWithTwo();
    const meshVideo = t.tileVideo('p2');
    expect(meshVideo).not.toBeNull();
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    const sfuPc = FakePeerConnection.instances[2]!;
    expect(t.sent('sfu-offer')).toHaveLength(1);
    expect(t.room.mediaTransport).toBe('mesh');
    expect(t.room.outboundConnections()).toHaveLength(3);
    await sfuForwardsBoth(t);
    sfuPc.setConnectionState('connected');
    await step(1_000);
    // Connected, but no picture has decoded there yet: the mesh still feeds the tiles.
    expect(t.room.mediaTransport).toBe('mesh');
    expect(t.tileVideo('p2')).toBe(meshVideo);
    expect(t.mesh.some((pc) => pc.closed)).toBe(false);
    sfuPc.stats = [decodedOn('3', 3), decodedOn('5', 0)];
    await step(1_000);
    expect(t.room.mediaTransport).toBe('mesh'); // Di's picture not yet
    // Di's first picture, and Cy's stop after their first three: a first key frame is not a
    // picture that plays yet.
    sfuPc.stats = [decodedOn('3', 3), decodedOn('5', 1)];
    await step(1_000);
    expect(t.room.mediaTransport).toBe('mesh');

    // The tiles take the media server's tracks in one render, before the mesh is closed.
    const seen: Array<{ video: MediaStreamTrack | null; meshClosed: boolean }> = [];
    t.room.subscribe(() => seen.push({ video: t.tileVideo('p2'), meshClosed: t.mesh.every((pc) => pc.closed) }));
    sfuPc.stats = [decodedOn('3', 6), decodedOn('5', 4)];
    await step(300);
    expect(t.room.mediaTransport).toBe('sfu');
    const sfuVideo = sfuPc.transceivers[3]!.receiver.track;
    expect(t.tileVideo('p2')).toBe(sfuVideo);
    expect(seen[0]).toEqual({ video: sfuVideo, meshClosed: false });
    expect(t.room.peerConnections()).toEqual(new Map([['p2', sfuPc], ['p3', sfuPc]]));
    // The mesh keeps sending for members that have not swapped yet (their tiles still read it),
    // and takes their relayed candidates meanwhile; then it is closed.
    expect(t.mesh.some((pc) => pc.closed)).toBe(false);
    t.receive({ type: 'ice-candidate', peerId: 'p2', data: { candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    await step();
    expect(t.mesh[0]!.addedCandidates).toHaveLength(1);
    expect(t.room.outboundConnections()).toHaveLength(3);
    await step(6_000);
    expect(t.mesh.every((pc) => pc.closed)).toBe(true);
    expect(t.room.outboundConnections()).toEqual([sfuPc]);
  });

  it('does not wait for pictures from a member whose camera is off', async () => {
    const t = await meshWithTwo();
    t.receive({ type: 'media-state', peerId: 'p3', data: { audio: true, video: false, screen: false } });
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    const sfuPc = FakePeerConnection.instances[2]!;
    await sfuForwardsBoth(t);
    sfuPc.setConnectionState('connected');
    sfuPc.stats = [decodedOn('3', 1)];
    await step(300);
    sfuPc.stats = [decodedOn('3', 9)];
    await step(600);
    expect(t.room.mediaTransport).toBe('sfu');
  });

  it('after the swap tells every member it moved, and closes at once the mesh connection to one that moved too', async () => {
    const t = await meshWithTwo();
    const [toCy, toDi] = t.mesh.map((pc) => pc.dataChannels[0]!);
    toCy!.open();
    toDi!.open();
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    const sfuPc = FakePeerConnection.instances[2]!;
    await sfuForwardsBoth(t);
    sfuPc.setConnectionState('connected');
    // Cy's tiles read the media server already; Di's still read the mesh.
    toCy!.receive(JSON.stringify({ type: 'moved' }));
    sfuPc.stats = [decodedOn('3', 1), decodedOn('5', 1)];
    await step(300);
    expect(t.mesh[0]!.closed).toBe(false); // we still read it
    sfuPc.stats = [decodedOn('3', 9), decodedOn('5', 9)];
    await step(600);
    expect(t.room.mediaTransport).toBe('sfu');
    expect(toCy!.sent.at(-1)).toBe('{"type":"moved"}');
    expect(toDi!.sent.at(-1)).toBe('{"type":"moved"}');
    await step(500);
    expect(t.mesh[0]!.closed).toBe(true);
    expect(t.mesh[1]!.closed).toBe(false); // Di's tiles show what we send on it
    toDi!.receive(JSON.stringify({ type: 'moved' }));
    await step(500);
    expect(t.mesh[1]!.closed).toBe(true);
    expect(t.room.snapshot.chat.messages).toEqual([]); // not chat
  });

  it('waits until the new path plays at least half as many frames as the current one', async () => {
    const t = await meshWithTwo();
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    const sfuPc = FakePeerConnection.instances[2]!;
    await sfuForwardsBoth(t);
    sfuPc.setConnectionState('connected');
    // The mesh decodes 15 frames a second from each; the media server's path 3 a second (its
    // publishers' encoders still starting): not yet.
    let mesh = 100;
    let sfu = 1;
    const tick = async (meshPerTick: number, sfuPerTick: number) => {
      mesh += meshPerTick;
      sfu += sfuPerTick;
      for (const pc of t.mesh) pc.stats = decoded(mesh);
      sfuPc.stats = [decodedOn('3', sfu), decodedOn('5', sfu)];
      await step(250);
    };
    for (let i = 0; i < 8; i++) await tick(4, 1);
    expect(t.room.mediaTransport).toBe('mesh');
    // Now at the mesh's pace: moved within the next second.
    for (let i = 0; i < 4; i++) await tick(4, 4);
    expect(t.room.mediaTransport).toBe('sfu');
  });

  it('a newcomer in a room on the media server gets no mesh connection, also while we are moving', async () => {
    const t = await meshWithTwo();
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    t.receive({ type: 'peer-joined', peerId: 'p4', data: { name: 'Ed' } });
    await step();
    expect(FakePeerConnection.instances).toHaveLength(3);
    expect(t.sent('offer')).toEqual([]);
    expect(t.room.snapshot.remotes.map((r) => r.id)).toEqual(['p2', 'p3', 'p4']);
  });

  it('a room that is on the media server when we join uses it from the start, with no mesh at all', async () => {
    const t = setup();
    t.join('sfu', [{ peerId: 'p1', name: 'Bo' }]);
    t.receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await step();
    expect(t.room.mediaTransport).toBe('sfu');
    expect(FakePeerConnection.instances).toHaveLength(1);
    expect(t.sent('sfu-offer')).toHaveLength(1);
    expect(t.sent('offer')).toEqual([]);
  });

  it('a room that went to the media server while our socket was down: a resume moves make-before-break, a new identity goes straight there', async () => {
    const t = await meshWithTwo();
    const rejoin = async (peerId: string) => {
      FakeSocket.instances.at(-1)!.drop();
      await step(600);
      const sock = FakeSocket.instances.at(-1)!;
      sock.open();
      sock.receive({ type: 'room-joined', peerId, mode: 'sfu', data: { peers: [{ peerId: 'p2', name: 'Cy' }, { peerId: 'p3', name: 'Di' }], resumeToken: 'tok' } });
      await step();
      return sock;
    };
    let sock = await rejoin('me');
    expect(t.room.mediaTransport).toBe('mesh'); // the mesh keeps playing while the media server connects
    expect(t.mesh.some((pc) => pc.closed)).toBe(false);
    expect(sock.sentOfType('sfu-offer')).toHaveLength(1);
    const firstSfu = FakePeerConnection.instances[2]!;
    // A new identity: the old connections are dropped, so there is nothing to keep playing.
    sock = await rejoin('me-2');
    expect(t.room.mediaTransport).toBe('sfu');
    expect(t.mesh.every((pc) => pc.closed)).toBe(true);
    expect(firstSfu.closed).toBe(true); // it belonged to the old id
    expect(sock.sentOfType('sfu-offer')).toHaveLength(1);
    expect(sock.sentOfType('offer')).toEqual([]);
    expect(t.room.outboundConnections()).toEqual([FakePeerConnection.instances.at(-1)]);
  });

  it('the room going back to mesh before the move ends calls it off: the media server connection is left', async () => {
    const t = await meshWithTwo();
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    t.receive({ type: 'peer-joined', peerId: 'p4', data: { name: 'Ed' } }); // no mesh connection while on the media server
    t.receive({ type: 'room-mode', mode: 'mesh' });
    await step();
    expect(FakePeerConnection.instances[2]!.closed).toBe(true);
    expect(t.sent('sfu-leave')).toHaveLength(1);
    expect(t.room.mediaTransport).toBe('mesh');
    expect(t.mesh.some((pc) => pc.closed)).toBe(false);
    // Ed came while the room was not on the mesh: now we connect ('me' < 'p4': we offer).
    expect(t.sent('offer').map((o) => o.targetId)).toEqual(['p4']);
    await step(20_000);
    expect(t.room.mediaTransport).toBe('mesh');
  });
});

describe('TransportSwitch: media server back to mesh', () => {
  /** In a room on the media server with Al ('a1' < 'me') and Zo ('zz' > 'me'). */
  async function onSfu() {
    const t = setup();
    t.join('sfu', [
      { peerId: 'a1', name: 'Al' },
      { peerId: 'zz', name: 'Zo' },
    ]);
    await step();
    const sfuPc = FakePeerConnection.instances[0]!;
    t.receive({ type: 'sfu-answer', sdp: 'v=0\r\n', tracks: [] });
    sfuPc.setConnectionState('connected');
    await step();
    return { ...t, sfuPc };
  }

  it('the smaller id offers on the new mesh; the move waits for connections and pictures, then leaves the media server', async () => {
    const t = await onSfu();
    t.receive({ type: 'room-mode', mode: 'mesh' });
    await step();
    // We offer to Zo only; Al offers to us.
    expect(t.sent('offer').map((o) => o.targetId)).toEqual(['zz']);
    const toZo = FakePeerConnection.instances[1]!;
    t.receive(offerFrom('a1'));
    t.receive({ type: 'answer', peerId: 'zz', data: { type: 'answer', sdp: 'v=0\r\n' } });
    await step();
    const toAl = FakePeerConnection.instances.at(-1)!;
    expect(t.sent('answer').map((a) => a.targetId)).toEqual(['a1']);
    toZo.setConnectionState('connected');
    toAl.setConnectionState('connected');
    await step(1_000);
    expect(t.room.mediaTransport).toBe('sfu');
    expect(t.sent('sfu-leave')).toEqual([]);
    toZo.stats = decoded(5);
    toAl.stats = decoded(5);
    await step(300);
    expect(t.room.mediaTransport).toBe('sfu'); // first pictures: not playing yet
    toZo.stats = decoded(12);
    toAl.stats = decoded(12);
    await step(600);
    expect(t.room.mediaTransport).toBe('mesh');
    // The media server connection lingers for members still reading it, then is left.
    expect(t.sent('sfu-leave')).toEqual([]);
    await step(6_000);
    expect(t.sent('sfu-leave')).toHaveLength(1);
    expect(t.sfuPc.closed).toBe(true);
    expect(t.room.outboundConnections()).toHaveLength(2);
  });

  it('a new move ends the linger at once: two transports of one kind never run together', async () => {
    const t = await onSfu();
    t.receive({ type: 'room-mode', mode: 'mesh' });
    await step(10_100); // moved at the deadline
    expect(t.room.mediaTransport).toBe('mesh');
    expect(t.sfuPc.closed).toBe(false);
    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    expect(t.sfuPc.closed).toBe(true);
    expect(t.sent('sfu-offer')).toHaveLength(2); // the new media server connection's
  });

  it('moves anyway at the deadline when pictures never decode', async () => {
    const t = await onSfu();
    t.receive({ type: 'room-mode', mode: 'mesh' });
    await step(9_900);
    expect(t.room.mediaTransport).toBe('sfu');
    await step(200);
    expect(t.room.mediaTransport).toBe('mesh');
    await step(6_000);
    expect(t.sfuPc.closed).toBe(true);
  });
});

describe('TransportSwitch: chat', () => {
  it('goes over the WebSocket from the moment the room is on the media server, and arrives from both paths during the move', async () => {
    const t = await meshWithTwo();
    const [toCy] = t.mesh.map((pc) => pc.dataChannels[0]!);
    toCy!.open();
    t.room.sendChat('on the mesh');
    expect(JSON.parse(toCy!.sent[0]!)).toEqual({ type: 'chat', text: 'on the mesh' });
    expect(t.sent('chat')).toEqual([]);

    t.receive({ type: 'room-mode', mode: 'sfu' });
    await step();
    t.room.sendChat('moving');
    expect(t.sent('chat')).toEqual([{ type: 'chat', text: 'moving' }]);
    expect(t.room.snapshot.chat.messages.at(-1)).toMatchObject({ text: 'moving', undelivered: [] });
    expect(toCy!.sent).toHaveLength(1);
    // Cy has moved already and writes over the WebSocket; Di writes on the mesh still.
    t.receive({ type: 'chat', from: 'p2', text: 'from the server' });
    t.mesh[1]!.dataChannels[0]!.receive(JSON.stringify({ type: 'chat', text: 'from the mesh' }));
    expect(t.room.snapshot.chat.messages.slice(-2)).toMatchObject([
      { fromId: 'p2', name: 'Cy', text: 'from the server' },
      { fromId: 'p3', name: 'Di', text: 'from the mesh' },
    ]);
  });

  it('a chat from someone not in the room is not shown', async () => {
    const t = await meshWithTwo();
    t.receive({ type: 'chat', from: 'stranger', text: 'hi' });
    expect(t.room.snapshot.chat.messages).toEqual([]);
  });
});
