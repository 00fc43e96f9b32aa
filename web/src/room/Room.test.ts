import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeDataChannel, FakeMedia, FakePeerConnection, FakeSocket, fakeTrack, fireTrackEvent, settle } from '../test/fakes';
import { SignalingClient } from '../signaling/SignalingClient';
import { fetchIceServers, type IceServersFetchResult } from '../rtc/iceCredentials';
import { Room } from './Room';

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

  it('takes its own name from room-joined (the server\'s "Guest N" for a blank name), else keeps the one it sent', () => {
    const t = setup();
    rooms.push(t.room);
    expect(t.room.snapshot.localName).toBe('Ada');
    t.sock().receive({ ...joined('me'), data: { ...joined('me').data, name: 'Guest 2' } });
    expect(t.room.snapshot.localName).toBe('Guest 2');
    t.sock().receive(joined('me')); // an older server says nothing: keep what we have
    expect(t.room.snapshot.localName).toBe('Guest 2');
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

  it('back under a new id (resume refused), keeps a peer whose media still flows until it comes back under a new id too', async () => {
    const t = await withTwoPeers();
    const [pc2, pc3] = FakePeerConnection.instances as [FakePeerConnection, FakePeerConnection];
    pc2.setConnectionState('connected');
    pc3.setConnectionState('failed');
    await settle();

    t.sock().drop();
    await new Promise((r) => setTimeout(r, 300));
    t.sock().open();
    // The server restarted without SESSION_SECRET: our token is refused and nobody is back yet.
    t.sock().receive(joined('me-2', []));
    // Cy's media still arrives: her tile stays. Di's connection is dead: she goes.
    expect(t.room.snapshot.remotes.map((r) => r.id)).toEqual(['p2']);
    expect(pc2.closed).toBe(false);
    expect(t.room.rosterLog().filter((e) => e.event === 'removed')).toEqual([{ event: 'removed', peerId: 'p3' }]);
    // Cy comes back under a new id: her new place replaces the old one, whose connection closes.
    t.sock().receive({ type: 'peer-joined', peerId: 'p2-new', data: { name: 'Cy' } });
    await settle();
    expect(t.room.snapshot.remotes.map((r) => r.id)).toEqual(['p2-new']);
    expect(pc2.closed).toBe(true);
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

describe('Room: TURN credential refresh', () => {
  const NOW_S = 1_700_000_000;
  const turn = (expiry: number, id = 'me'): RTCIceServer => ({ urls: 'turn:127.0.0.1:3478?transport=udp', username: `${expiry}:${id}`, credential: `cred-${expiry}` });
  const stun: RTCIceServer = { urls: 'stun:127.0.0.1:3478' };
  const ok = (iceServers: RTCIceServer[]): IceServersFetchResult => ({ kind: 'ok', response: { iceServers } });

  /** A room whose /ice-servers answers come from `answer` (called once per fetch). */
  function start(answer: (n: number) => IceServersFetchResult | Promise<IceServersFetchResult>) {
    FakeSocket.instances = [];
    FakePeerConnection.instances = [];
    const fetches: number[] = [];
    // No heartbeat during the long waits below: the fake server never answers pings.
    const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0, heartbeatIntervalMs: 1e9, heartbeatTimeoutMs: 1e9 });
    const room = new Room({
      roomId: 'brave-otter-42',
      name: 'Ada',
      signaling,
      media: new FakeMedia(),
      createPeerConnection: (c) => new FakePeerConnection(c),
      statsIntervalMs: 0,
      speakerIntervalMs: 0,
      fetchIceServers: () => {
        fetches.push(Date.now());
        return Promise.resolve(answer(fetches.length));
      },
    });
    rooms.push(room);
    room.join();
    const sock = () => FakeSocket.instances.at(-1)!;
    sock().open();
    const join = (iceServers: RTCIceServer[], peerId = 'me', timestamp = Date.now(), peers: Array<{ peerId: string; name: string }> = []) =>
      sock().receive({ type: 'room-joined', peerId, timestamp, data: { peers, resumeToken: `tok-${peerId}`, iceServers } });
    return { room, sock, fetches, join };
  }

  const at = (s: number) => NOW_S * 1000 + s * 1000;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(at(0));
  });
  afterEach(() => {
    rooms.forEach((r) => r.leave());
    rooms = [];
    vi.useRealTimers();
  });

  it('at half their lifetime fetches fresh credentials, restarts ICE on every connection with them, and gives them to later peers', async () => {
    const t = start((n) => ok([stun, turn(NOW_S + 30 * n + 60)]));
    t.join([stun, turn(NOW_S + 60)]);
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    t.sock().receive({ type: 'peer-joined', peerId: 'p3', data: { name: 'Di' } });
    await vi.advanceTimersByTimeAsync(100);
    const [pc2, pc3] = FakePeerConnection.instances as [FakePeerConnection, FakePeerConnection];
    expect(pc2.config.iceServers).toEqual([stun, turn(NOW_S + 60)]);
    expect(t.sock().sentOfType('offer')).toHaveLength(2);
    for (const peerId of ['p2', 'p3']) t.sock().receive({ type: 'answer', peerId, data: { type: 'answer', sdp: 'v=0\r\n' } });
    await vi.advanceTimersByTimeAsync(100);
    expect([pc2.signalingState, pc3.signalingState]).toEqual(['stable', 'stable']);

    await vi.advanceTimersByTimeAsync(29_600);
    expect(t.fetches).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(t.fetches).toEqual([at(30)]);
    expect(t.room.credentialRefreshCount).toBe(1);
    for (const pc of [pc2, pc3]) {
      expect(pc.config.iceServers).toEqual([stun, turn(NOW_S + 90)]);
      expect(pc.restartIceCalls).toBe(1);
    }
    // The restarts turn into new offers (perfect negotiation), one per connection.
    await vi.advanceTimersByTimeAsync(100);
    expect(t.sock().sentOfType('offer').map((o) => o.targetId)).toEqual(['p2', 'p3', 'p2', 'p3']);

    t.sock().receive({ type: 'peer-joined', peerId: 'p4', data: { name: 'Ed' } });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakePeerConnection.instances[2]!.config.iceServers).toEqual([stun, turn(NOW_S + 90)]);

    // The next refresh is planned from the new expiry: again 30 s later.
    await vi.advanceTimersByTimeAsync(29_700);
    expect(t.fetches).toEqual([at(30)]);
    await vi.advanceTimersByTimeAsync(100);
    expect(t.fetches).toEqual([at(30), at(60)]);
    expect(t.room.credentialRefreshCount).toBe(2);
  });

  it('an answerer still waiting for the first offer takes the new servers without an ICE restart', async () => {
    const t = start(() => ok([turn(NOW_S + 90)]));
    t.join([turn(NOW_S + 60)], 'me', Date.now(), [{ peerId: 'p1', name: 'Bo' }]);
    t.sock().receive({ type: 'ice-candidate', peerId: 'p1', data: { candidate: 'early' } }); // opens the answering session
    await vi.advanceTimersByTimeAsync(30_000);
    const pc = FakePeerConnection.instances[0]!;
    expect(pc.config.iceServers).toEqual([turn(NOW_S + 90)]);
    expect(pc.restartIceCalls).toBe(0);
    expect(t.sock().sentOfType('offer')).toHaveLength(0);
  });

  it('plans from the server clock: a client clock two hours behind still refreshes after 30 s', async () => {
    const t = start(() => ok([turn(NOW_S + 7200 + 90)]));
    t.join([turn(NOW_S + 7200 + 60)], 'me', at(7200));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.fetches).toEqual([at(30)]);
  });

  it('never fetches for STUN only or static TURN credentials', async () => {
    const t = start(() => ok([]));
    t.join([stun, { urls: 'turn:127.0.0.1:3478', username: 'static', credential: 'pw' }]);
    await vi.advanceTimersByTimeAsync(4 * 3_600_000);
    expect(t.fetches).toEqual([]);
  });

  it('retries a failed fetch with backoff until the credentials in use expire, then gives up', async () => {
    const warn = vi.mocked(console.warn);
    const t = start(() => ({ kind: 'failed', reason: 'HTTP 503' }));
    t.join([turn(NOW_S + 60)]);
    await vi.advanceTimersByTimeAsync(600_000);
    // 30 s, then 5 s and 10 s later, and the last try at the expiry (60 s).
    expect(t.fetches).toEqual([at(30), at(35), at(45), at(60)]);
    expect(t.room.credentialRefreshCount).toBe(0);
    expect(warn.mock.calls.at(-1)?.[0]).toMatch(/giving up/);
  });

  it('after a failure a successful retry applies the credentials and plans from their expiry', async () => {
    const t = start((n) => (n === 1 ? { kind: 'failed', reason: 'Failed to fetch' } : ok([turn(NOW_S + 95)])));
    t.join([turn(NOW_S + 60)]);
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await vi.advanceTimersByTimeAsync(35_000);
    expect(t.fetches).toEqual([at(30), at(35)]);
    expect(t.room.credentialRefreshCount).toBe(1);
    expect(FakePeerConnection.instances[0]!.config.iceServers).toEqual([turn(NOW_S + 95)]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.fetches).toEqual([at(30), at(35), at(65)]);
  });

  it('a 429 (MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE used up) is retried with backoff until it succeeds', async () => {
    // The real fetchIceServers over a server that answers 429 twice, then fresh credentials.
    const answers = [429, 429, 200];
    const t = start(() =>
      fetchIceServers(async () => {
        const status = answers.shift() ?? 200;
        const body = status === 429 ? { error: 'too many TURN credentials requested', code: 'rate-limited' } : { iceServers: [turn(NOW_S + 120)] };
        return { status, json: async () => body };
      }, 'room-token'),
    );
    t.join([turn(NOW_S + 60)]);
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await vi.advanceTimersByTimeAsync(46_000);
    // 30 s (429), 5 s later (429), 10 s after that (200): not a refusal, never given up.
    expect(t.fetches).toEqual([at(30), at(35), at(45)]);
    expect(t.room.credentialRefreshCount).toBe(1);
    expect(FakePeerConnection.instances[0]!.config.iceServers).toEqual([turn(NOW_S + 120)]);
  });

  it('a refused room token stops the refreshing and says why', async () => {
    const warn = vi.mocked(console.warn);
    const t = start(() => ({ kind: 'refused', code: 'token-expired' }));
    t.join([turn(NOW_S + 60)]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(t.fetches).toEqual([at(30)]);
    expect(warn.mock.calls.some((c) => String(c[0]).includes('token-expired'))).toBe(true);
  });

  it('leaving clears the timer, and a fetch answered after leaving changes nothing', async () => {
    const idle = start(() => ok([turn(NOW_S + 90)]));
    idle.join([turn(NOW_S + 60)]);
    idle.room.leave();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(idle.fetches).toEqual([]);

    let answer: (r: IceServersFetchResult) => void = () => undefined;
    const t = start(() => new Promise((r) => (answer = r)));
    t.join([turn(NOW_S + 60)]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.fetches).toHaveLength(1);
    t.room.leave();
    answer(ok([turn(NOW_S + 90)]));
    await vi.advanceTimersByTimeAsync(600_000);
    expect(t.room.credentialRefreshCount).toBe(0);
    expect(t.fetches).toHaveLength(1);
  });

  it('a resume that keeps the connections keeps the sooner refresh their credentials need', async () => {
    const t = start(() => ok([turn(NOW_S + 120)]));
    t.join([turn(NOW_S + 60)]);
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    await vi.advanceTimersByTimeAsync(10_000);
    t.sock().drop();
    await vi.advanceTimersByTimeAsync(1_000);
    t.sock().open();
    // Fresh credentials for new connections, but p2's connection still uses the first ones.
    t.join([turn(NOW_S + 11 + 600)], 'me', Date.now(), [{ peerId: 'p2', name: 'Cy' }]);
    await vi.advanceTimersByTimeAsync(19_000);
    expect(t.fetches).toEqual([at(30)]);
    expect(FakePeerConnection.instances[0]!.config.iceServers).toEqual([turn(NOW_S + 120)]);
  });
});

describe('Room: peer-unreachable', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    rooms.forEach((r) => r.leave());
    rooms = [];
    vi.useRealTimers();
  });

  it('hands the error to that peer\'s session, which re-sends its offer after a backoff; the call shows no error', async () => {
    const t = setup();
    rooms.push(t.room);
    t.sock().receive(joined('me'));
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy' } });
    t.sock().receive({ type: 'peer-joined', peerId: 'p3', data: { name: 'Di' } });
    await vi.advanceTimersByTimeAsync(10);
    const offersTo = (id: string) => t.sock().sentOfType('offer').filter((m) => (m as { targetId?: string }).targetId === id);
    expect(offersTo('p2')).toHaveLength(1);
    const refused = { type: 'error', code: 'peer-unreachable', targetId: 'p2', error: 'peer p2 could not be reached in time' };
    t.sock().receive(refused);
    t.sock().receive(refused);
    await vi.advanceTimersByTimeAsync(900);
    expect(offersTo('p2')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(offersTo('p2')).toHaveLength(2);
    expect(offersTo('p2')[1]).toEqual(offersTo('p2')[0]);
    expect(offersTo('p3')).toHaveLength(1);
    expect(t.room.snapshot.phase).toBe('joined');
    expect(t.room.snapshot.error).toBeNull();
  });
});
