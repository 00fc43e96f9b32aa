// Relay-only mode, connect-issue reporting and access refusals as the Room sees them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePeerConnection, FakeSocket, fakeTrack } from '../test/fakes';
import { SignalingClient } from '../signaling/SignalingClient';
import type { MediaKind } from '../rtc/peerConnectionLike';
import { Room, type LocalMediaSource } from './Room';

class StillMedia implements LocalMediaSource {
  stream = null;
  snapshot = { audioTrack: fakeTrack('audio'), videoTrack: fakeTrack('video') as MediaStreamTrack | null, audioEnabled: true, videoEnabled: true };
  subscribe() {
    return () => undefined;
  }
  onTrackChanged(_fn: (k: MediaKind, t: MediaStreamTrack | null) => void) {
    return () => undefined;
  }
}

function setup(opts: { forceRelay?: boolean; diagnoseRefusal?: () => Promise<string | null> } = {}) {
  FakeSocket.instances = [];
  FakePeerConnection.instances = [];
  const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0, diagnoseRefusal: opts.diagnoseRefusal });
  const room = new Room({
    roomId: 'standup',
    name: 'Ada',
    signaling,
    media: new StillMedia(),
    createPeerConnection: (c) => new FakePeerConnection(c),
    statsIntervalMs: 0,
    forceRelay: opts.forceRelay,
    connectTimeoutMs: 10_000, // inside the 15 s heartbeat deadline of the silent fake socket
  });
  room.join();
  return { room, signaling, sock: () => FakeSocket.instances.at(-1)! };
}

const turn = [{ urls: 'turn:127.0.0.1:3478', username: '1:x', credential: 'c' }];

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Room relay policy and connect issues', () => {
  it('uses the server policy from room-joined', () => {
    const t = setup();
    t.sock().open();
    t.sock().receive({ type: 'room-joined', peerId: 'a', data: { peers: [], iceServers: turn, iceTransportPolicy: 'relay' } });
    t.sock().receive({ type: 'peer-joined', peerId: 'b', data: { name: 'Bob' } });
    expect(FakePeerConnection.instances[0]!.config.iceTransportPolicy).toBe('relay');
    t.room.leave();
  });

  it('?relay=1 forces relay even when the server allows all', () => {
    const t = setup({ forceRelay: true });
    t.sock().open();
    t.sock().receive({ type: 'room-joined', peerId: 'a', data: { peers: [], iceServers: turn, iceTransportPolicy: 'all' } });
    t.sock().receive({ type: 'peer-joined', peerId: 'b', data: { name: 'Bob' } });
    expect(FakePeerConnection.instances[0]!.config.iceTransportPolicy).toBe('relay');
    t.room.leave();
  });

  it('names the peer and blames TURN when no relay candidate came and the call does not connect; retry starts over', () => {
    const t = setup({ forceRelay: true });
    t.sock().open();
    t.sock().receive({ type: 'room-joined', peerId: 'a', data: { peers: [], iceServers: turn } });
    t.sock().receive({ type: 'peer-joined', peerId: 'b', data: { name: 'Bob' } });
    const pc = FakePeerConnection.instances[0]!;
    pc.onicecandidateerror?.({ url: 'turn:127.0.0.1:3478', errorCode: 401, errorText: 'Unauthorized' });
    vi.advanceTimersByTime(9_999);
    expect(t.room.snapshot.remotes[0]!.connectIssue).toBeNull();
    vi.advanceTimersByTime(1);
    expect(t.room.snapshot.remotes[0]!.connectIssue).toEqual({ kind: 'turn-unreachable', detail: '401 Unauthorized' });

    t.room.retryPeer('b');
    expect(FakePeerConnection.instances).toHaveLength(2);
    expect(pc.closed).toBe(true);
    expect(t.room.snapshot.remotes[0]!.connectIssue).toBeNull();
    const second = FakePeerConnection.instances[1]!;
    second.onicecandidate?.({ candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5 typ relay raddr 0.0.0.0 rport 0', sdpMid: '0', sdpMLineIndex: 0 } });
    second.setConnectionState('connected');
    vi.advanceTimersByTime(12_000);
    expect(t.room.snapshot.remotes[0]!.connectIssue).toBeNull();
    t.room.leave();
  });
});

describe('Room access refusals', () => {
  it('a socket refused at the upgrade is diagnosed, and the room stops with the code', async () => {
    const t = setup({ diagnoseRefusal: () => Promise.resolve('token-expired') });
    t.sock().drop(1006);
    await vi.waitFor(() => expect(t.room.snapshot.phase).toBe('rejected'));
    expect(t.room.snapshot.error?.code).toBe('token-expired');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1); // no retries against a refusal
  });

  it('an unreachable server (no refusal code) keeps the ordinary reconnect', async () => {
    const t = setup({ diagnoseRefusal: () => Promise.resolve(null) });
    t.sock().drop(1006);
    await vi.waitFor(() => expect(t.signaling.state).toBe('reconnecting'));
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances.length).toBeGreaterThan(1);
    t.room.leave();
  });

  it('forbidden-room ends the join with that code', () => {
    const t = setup();
    t.sock().open();
    t.sock().receive({ type: 'error', code: 'forbidden-room', error: 'this connection may not join room standup' });
    expect(t.room.snapshot.phase).toBe('rejected');
    expect(t.room.snapshot.error?.code).toBe('forbidden-room');
  });
});
