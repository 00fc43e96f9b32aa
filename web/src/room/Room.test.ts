import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeDataChannel, FakePeerConnection, FakeSocket, fakeTrack, fireTrackEvent, settle } from '../test/fakes';
import { SignalingClient } from '../signaling/SignalingClient';
import type { MediaKind } from '../rtc/peerConnectionLike';
import { Room, type LocalMediaSource } from './Room';

class FakeMedia implements LocalMediaSource {
  stream = null;
  snapshot = { audioTrack: fakeTrack('audio'), videoTrack: fakeTrack('video') as MediaStreamTrack | null, audioEnabled: true, videoEnabled: true };
  private subs = new Set<() => void>();
  private trackSubs = new Set<(k: MediaKind, t: MediaStreamTrack | null) => void>();
  subscribe(fn: () => void) {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
  onTrackChanged(fn: (k: MediaKind, t: MediaStreamTrack | null) => void) {
    this.trackSubs.add(fn);
    return () => this.trackSubs.delete(fn);
  }
  setAudio(on: boolean) {
    this.snapshot = { ...this.snapshot, audioEnabled: on };
    this.subs.forEach((f) => f());
  }
  switchVideo(t: MediaStreamTrack) {
    this.snapshot = { ...this.snapshot, videoTrack: t };
    this.trackSubs.forEach((f) => f('video', t));
  }
}

function setup() {
  FakeSocket.instances = [];
  FakePeerConnection.instances = [];
  const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0 });
  const media = new FakeMedia();
  const room = new Room({ roomId: 'brave-otter-42', name: 'Ada', signaling, media, createPeerConnection: (c) => new FakePeerConnection(c), statsIntervalMs: 0 });
  room.join();
  const sock = () => FakeSocket.instances.at(-1)!;
  sock().open();
  return { room, signaling, media, sock };
}

const joined = (peerId: string, peers: Array<{ peerId: string; name: string; media?: object }> = []) => ({
  type: 'room-joined',
  peerId,
  data: { peers, resumeToken: `tok-${peerId}`, iceServers: [{ urls: 'stun:127.0.0.1:1' }] },
});

/** Joined as 'me', then Cy (p2) and Di (p3) came in: we offered to both. */
async function withTwoPeers() {
  const t = setup();
  rooms.push(t.room);
  t.sock().receive(joined('me'));
  t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
  t.sock().receive({ type: 'peer-joined', peerId: 'p3', data: { name: 'Di' } });
  await settle();
  return t;
}

let rooms: Room[] = [];
beforeEach(() => {
  rooms = [];
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  rooms.forEach((r) => r.leave());
  vi.restoreAllMocks();
});

describe('Room', () => {
  it('sends its media state once after joining and shows existing peers with their marks', () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me', [{ peerId: 'p1', name: 'Bo', media: { audio: false, video: true, screen: false } }]));
    expect(t.room.snapshot.phase).toBe('joined');
    expect(t.room.snapshot.remotes).toMatchObject([{ id: 'p1', name: 'Bo', media: { audio: false, video: true } }]);
    expect(t.sock().sentOfType('media-state')).toEqual([{ type: 'media-state', data: { audio: true, video: true, screen: false } }]);
    // The newcomer waits for offers: no connection yet.
    expect(FakePeerConnection.instances).toHaveLength(0);
  });

  it('offers to a peer that joins after us, using the iceServers from room-joined', async () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me'));
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await settle();
    expect(FakePeerConnection.instances[0]!.config.iceServers).toEqual([{ urls: 'stun:127.0.0.1:1' }]);
    const offers = t.sock().sentOfType('offer');
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ targetId: 'p2', data: { type: 'offer' } });
  });

  it('mic toggle sends media-state on the same socket; remote media-state updates the peer', () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me', [{ peerId: 'p1', name: 'Bo' }]));
    t.media.setAudio(false);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(t.sock().sentOfType('media-state').at(-1)).toEqual({ type: 'media-state', data: { audio: false, video: true, screen: false } });
    t.sock().receive({ type: 'media-state', peerId: 'p1', data: { audio: true, video: false, screen: false } });
    expect(t.room.snapshot.remotes[0]!.media).toEqual({ audio: true, video: false, screen: false });
  });

  it('switching camera replaces the track on every connection without a new offer', async () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me'));
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await settle();
    const cam2 = fakeTrack('video', 'cam2');
    t.media.switchVideo(cam2);
    await settle();
    const pc = FakePeerConnection.instances[0]!;
    expect(pc.transceivers.find((x) => x.receiver.track.kind === 'video')!.sender.track).toBe(cam2);
    expect(t.sock().sentOfType('offer')).toHaveLength(1);
  });

  it('room-full ends the attempt without reconnecting', () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.sock().receive({ type: 'error', code: 'room-full', error: 'room is full' });
      expect(t.room.snapshot.phase).toBe('full');
      vi.advanceTimersByTime(120_000);
      expect(FakeSocket.instances).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a rejoin with the same peerId keeps connections; a new peerId rebuilds from scratch', async () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me'));
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await settle();
    const pc = FakePeerConnection.instances[0]!;

    t.sock().drop();
    expect(t.room.snapshot.phase).toBe('reconnecting');
    expect(pc.closed).toBe(false); // media keeps flowing while the socket is down
    await new Promise((r) => setTimeout(r, 300));
    t.sock().open();
    t.sock().receive(joined('me', [{ peerId: 'p2', name: 'Cy' }]));
    expect(pc.closed).toBe(false);
    expect(t.room.peerConnections().get('p2')).toBe(pc);

    t.sock().drop();
    await new Promise((r) => setTimeout(r, 300));
    t.sock().open();
    t.sock().receive(joined('me-2', [{ peerId: 'p2', name: 'Cy' }]));
    expect(pc.closed).toBe(true);
    expect(t.room.peerConnections().size).toBe(0); // waits for p2's offer to the new id
    expect(t.room.snapshot.remotes.map((r) => r.id)).toEqual(['p2']);
  });

  it('after a server restart keeps a connected peer the new server does not list yet, until its connection dies', async () => {
    const t = await withTwoPeers();
    const [pc2, pc3] = FakePeerConnection.instances as [FakePeerConnection, FakePeerConnection];
    pc2.setConnectionState('connected');
    pc3.setConnectionState('connected');

    t.sock().drop();
    await new Promise((r) => setTimeout(r, 300));
    t.sock().open();
    // The restarted server's room is being rebuilt: nobody else is back yet.
    t.sock().receive(joined('me', []));
    expect(t.room.snapshot.remotes.map((r) => r.id)).toEqual(['p2', 'p3']);
    expect(pc2.closed).toBe(false);
    expect(t.room.rosterLog().filter((e) => e.event === 'removed')).toEqual([]);
    // p2 comes back (it is heard from); p3 never does and its connection fails.
    t.sock().receive({ type: 'media-state', peerId: 'p2', data: { audio: true, video: true, screen: false } });
    pc3.setConnectionState('failed');
    pc2.setConnectionState('failed'); // a confirmed peer's failure is repaired, not removed
    await settle();
    expect(t.room.snapshot.remotes.map((r) => r.id)).toEqual(['p2']);
    expect(t.room.rosterLog().at(-1)).toEqual({ event: 'removed', peerId: 'p3' });
  });

  it('chat goes over each data channel, arrives with the name, and marks who it missed', async () => {
    const t = await withTwoPeers();
    const [c2, c3] = FakePeerConnection.instances.map((pc) => pc.dataChannels[0]!) as [FakeDataChannel, FakeDataChannel];
    c2.open();
    t.room.sendChat('  hello <b>all</b> ');
    expect(JSON.parse(c2.sent[0]!)).toEqual({ type: 'chat', text: 'hello <b>all</b>' });
    expect(t.room.snapshot.chat.messages[0]).toMatchObject({ fromId: null, text: 'hello <b>all</b>', undelivered: ['Di'] });

    c3.open();
    c3.receive(JSON.stringify({ type: 'chat', text: 'hi back' }));
    c3.receive('not json');
    expect(t.room.snapshot.chat.messages.at(-1)).toMatchObject({ fromId: 'p3', name: 'Di', text: 'hi back' });
    expect(t.room.snapshot.chat.unread).toBe(1);
    t.room.setChatOpen(true);
    expect(t.room.snapshot.chat.unread).toBe(0);
  });

  it('raise hand and screen share travel in media-state; the share stops with its track', async () => {
    const screenTrack = fakeTrack('video');
    const stream = { getVideoTracks: () => [screenTrack] } as unknown as MediaStream;
    FakeSocket.instances = [];
    FakePeerConnection.instances = [];
    const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0 });
    const room = new Room({ roomId: 'brave-otter-42', name: 'Ada', signaling, media: new FakeMedia(), createPeerConnection: (c) => new FakePeerConnection(c), statsIntervalMs: 0, speakerIntervalMs: 0, getDisplayMedia: () => Promise.resolve(stream) });
    rooms.push(room);
    room.join();
    const sock = FakeSocket.instances.at(-1)!;
    sock.open();
    sock.receive(joined('me'));
    sock.receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await settle();

    room.setHand(true);
    expect(sock.sentOfType('media-state').at(-1)).toMatchObject({ data: { hand: true } });
    await room.startScreenShare();
    expect(sock.sentOfType('media-state').at(-1)).toMatchObject({ data: { screen: true, hand: true } });
    const pc = FakePeerConnection.instances[0]!;
    expect(pc.transceivers.filter((x) => x.sender.track === screenTrack)).toHaveLength(1);
    expect(room.snapshot.local.screenTrack).toBe(screenTrack);

    // The browser's own "Stop sharing" ends the track.
    fireTrackEvent(screenTrack, 'ended');
    await settle();
    expect(room.snapshot.local.screenTrack).toBeNull();
    expect(sock.sentOfType('media-state').at(-1)).toMatchObject({ data: { screen: false } });
    expect(pc.transceivers.find((x) => x.direction === 'inactive')).toBeDefined();
    room.setHand(false);
    expect(sock.sentOfType('media-state').at(-1)!.data).toEqual({ audio: true, video: true, screen: false });
  });

  it('ignores answers and candidates for peers without a connection', async () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me'));
    t.sock().receive({ type: 'answer', peerId: 'ghost', data: { type: 'answer', sdp: 'v=0\r\n' } });
    t.sock().receive({ type: 'ice-candidate', peerId: 'ghost', data: { candidate: 'c' } });
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    t.sock().receive({ type: 'peer-left', peerId: 'p2' });
    t.sock().receive({ type: 'answer', peerId: 'p2', data: { type: 'answer', sdp: 'v=0\r\n' } });
    await settle();
    expect(t.room.snapshot.remotes).toEqual([]);
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('answers an offer from a peer listed in room-joined', async () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me', [{ peerId: 'p1', name: 'Bo' }]));
    const other = new FakePeerConnection({});
    other.addTransceiver('audio');
    other.addTransceiver('video');
    await other.setLocalDescription();
    t.sock().receive({ type: 'ice-candidate', peerId: 'p1', data: { candidate: 'early' } });
    t.sock().receive({ type: 'offer', peerId: 'p1', data: { type: 'offer', sdp: other.localDescription!.sdp } });
    t.sock().receive({ type: 'ice-candidate', peerId: 'p1', data: { candidate: 'c1' } });
    await settle();
    expect(t.sock().sentOfType('answer')).toHaveLength(1);
    const mine = t.room.peerConnections().get('p1') as FakePeerConnection;
    expect(mine.addedCandidates.map((c) => c.candidate)).toEqual(['early', 'c1']);
  });
});
