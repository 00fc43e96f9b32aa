import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeMedia, FakePeerConnection, FakeSocket, settle } from '../test/fakes';
import { SignalingClient } from '../signaling/SignalingClient';
import { Room } from './Room';

let rooms: Room[] = [];
afterEach(() => {
  rooms.forEach((r) => r.leave());
  rooms = [];
  vi.restoreAllMocks();
});

/** Joined as 'me' with Bo (p1) and Cy (p2) already there, the room in `mode`. */
async function joinedIn(mode: 'mesh' | 'sfu') {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  FakeSocket.instances = [];
  FakePeerConnection.instances = [];
  const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0 });
  const room = new Room({ roomId: 'brave-otter-42', name: 'Ada', signaling, media: new FakeMedia(), createPeerConnection: (c) => new FakePeerConnection(c), statsIntervalMs: 0, speakerIntervalMs: 0 });
  rooms.push(room);
  room.join();
  const sock = FakeSocket.instances.at(-1)!;
  sock.open();
  sock.receive({
    type: 'room-joined',
    peerId: 'me',
    mode,
    data: { peers: [{ peerId: 'p1', name: 'Bo' }, { peerId: 'p2', name: 'Cy' }], iceServers: [] },
  });
  await settle();
  return { room, sock };
}

describe('Room in a big room on the media server', () => {
  it("takes the server's active speaker, so every client shows the same one", async () => {
    const { room, sock } = await joinedIn('sfu');
    expect(room.snapshot.activeSpeakerId).toBeNull();
    sock.receive({ type: 'active-speaker', peerId: 'p2', level: 0.2 });
    expect(room.snapshot.activeSpeakerId).toBe('p2');
    sock.receive({ type: 'active-speaker', peerId: 'me', level: 0.2 });
    expect(room.snapshot.activeSpeakerId).toBeNull(); // we are not one of our remotes
  });

  it('shows the avatar for cameras the server does not forward', async () => {
    const { room, sock } = await joinedIn('sfu');
    expect(room.snapshot.remotes.map((r) => r.videoForwarded)).toEqual([true, true]);
    sock.receive({ type: 'sfu-forwarding', video: [{ peerId: 'p1', source: 'camera' }] });
    expect(room.snapshot.remotes.map((r) => [r.id, r.videoForwarded])).toEqual([
      ['p1', true],
      ['p2', false],
    ]);
  });

  it('sends its pin as sfu-view, and again when the server does not honour it yet', async () => {
    const { room, sock } = await joinedIn('sfu');
    room.setPinned('p2');
    const views = () => sock.sentOfType('sfu-view') as Array<{ views: Array<{ peerId: string; source: string; pinned?: boolean }> }>;
    expect(views()).toHaveLength(1);
    expect(views()[0]!.views.filter((v) => v.pinned).map((v) => v.peerId)).toEqual(['p2']);
    sock.receive({ type: 'sfu-forwarding', video: [{ peerId: 'p1', source: 'camera' }] });
    expect(views()).toHaveLength(2);
    sock.receive({ type: 'sfu-forwarding', video: [{ peerId: 'p2', source: 'camera' }] });
    expect(views()).toHaveLength(2);
  });

  it('on the mesh ignores the server speaker and forwarding, and sends no sfu-view', async () => {
    const { room, sock } = await joinedIn('mesh');
    sock.receive({ type: 'active-speaker', peerId: 'p2', level: 0.2 });
    expect(room.snapshot.activeSpeakerId).toBeNull();
    room.setPinned('p1');
    expect(sock.sentOfType('sfu-view')).toHaveLength(0);
    expect(room.snapshot.remotes.every((r) => r.videoForwarded)).toBe(true);
  });
});
