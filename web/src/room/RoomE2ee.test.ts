// Room with end-to-end encryption: what it announces, what the snapshot says about each remote,
// and that the mesh's connections get their transforms (e2ee/E2eeSession with fakes).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeMedia, FakePeerConnection, FakeSocket, settle } from '../test/fakes';
import { SignalingClient } from '../signaling/SignalingClient';
import { E2eeSession, type WorkerLike } from '../e2ee/E2eeSession';
import type { FromWorker, ToWorker, TransformOptions } from '../e2ee/protocol';
import { Room } from './Room';

class FakeWorker implements WorkerLike {
  sent: ToWorker[] = [];
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  postMessage(msg: ToWorker): void {
    this.sent.push(msg);
  }
  terminate(): void {}
}

class FakeTransform {
  constructor(
    readonly worker: WorkerLike,
    readonly options: TransformOptions,
  ) {}
}

function setup(key: Uint8Array<ArrayBuffer> | null) {
  FakeSocket.instances = [];
  FakePeerConnection.instances = [];
  const workers: FakeWorker[] = [];
  const e2ee = new E2eeSession({ key, createWorker: () => workers[workers.push(new FakeWorker()) - 1]!, transformCtor: FakeTransform });
  const signaling = new SignalingClient({ url: 'ws://t/ws', createSocket: (u) => new FakeSocket(u), random: () => 0 });
  const room = new Room({ roomId: 'brave-otter-42', name: 'Ada', signaling, media: new FakeMedia(), createPeerConnection: (c) => new FakePeerConnection(c), statsIntervalMs: 0, e2ee });
  rooms.push(room);
  room.join();
  const sock = () => FakeSocket.instances.at(-1)!;
  sock().open();
  return { room, sock, workers };
}

const joined = (peers: Array<{ peerId: string; name: string; media?: object }>) => ({
  type: 'room-joined',
  peerId: 'me',
  data: { peers, resumeToken: 'tok', iceServers: [] },
});
const plain = { audio: true, video: true, screen: false };
const encrypted = { ...plain, e2ee: true };

let rooms: Room[] = [];
beforeEach(() => {
  rooms = [];
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  rooms.forEach((r) => r.leave());
  vi.restoreAllMocks();
});

describe('Room with end-to-end encryption', () => {
  it('with the key: announces e2ee, shows the indicator, and tells a plain remote from an encrypting one', async () => {
    const t = setup(new Uint8Array(16));
    t.sock().receive(joined([{ peerId: 'p1', name: 'Bo', media: encrypted }]));
    t.sock().receive({ type: 'peer-joined', peerId: 'p2', data: { name: 'Cy', media: plain } });
    await settle();
    expect(t.sock().sentOfType('media-state').at(-1)).toEqual({ type: 'media-state', data: { ...plain, e2ee: true } });
    expect(t.room.snapshot.e2ee).toEqual({ encrypting: true, missingKey: false });
    expect(t.room.snapshot.remotes.map((r) => [r.id, r.e2ee])).toEqual([
      ['p1', null],
      ['p2', 'not-encrypted'],
    ]);
    // We offered to p2: its connection's sender encrypts as us, its receivers open p2's frames.
    const pc = FakePeerConnection.instances[0]!;
    const options = pc.transceivers.map((x) => [(x.sender as unknown as { transform?: FakeTransform }).transform?.options, (x.receiver as unknown as { transform?: FakeTransform }).transform?.options]);
    expect(options).toContainEqual([
      { direction: 'send', kind: 'video', senderId: 'me' },
      expect.objectContaining({ direction: 'receive', kind: 'video', peerId: 'p2' }),
    ]);

    // p2 now says it encrypts too, and the worker reports that its frames do not open on one of
    // its receivers (a status names the slot and the peer it carries): a different key.
    t.sock().receive({ type: 'media-state', peerId: 'p2', data: encrypted });
    expect(t.room.snapshot.remotes.find((r) => r.id === 'p2')?.e2ee).toBeNull();
    const slot = pc.transceivers.map((x) => (x.receiver as unknown as { transform?: FakeTransform }).transform?.options).find((o) => o?.direction === 'receive');
    if (slot?.direction !== 'receive') throw new Error("no receiving transform for p2's frames");
    t.workers[0]!.onmessage?.({ data: { type: 'status', slot: slot.slot, peerId: 'p2', ok: false } } as MessageEvent<FromWorker>);
    expect(t.room.snapshot.remotes.find((r) => r.id === 'p2')?.e2ee).toBe('wrong-key');
    t.workers[0]!.onmessage?.({ data: { type: 'status', slot: slot.slot, peerId: 'p2', ok: true } } as MessageEvent<FromWorker>);
    expect(t.room.snapshot.remotes.find((r) => r.id === 'p2')?.e2ee).toBeNull();
  });

  it('without the key: says the call is encrypted once someone announces it, and which tiles it cannot show', () => {
    const t = setup(null);
    t.sock().receive(joined([{ peerId: 'p1', name: 'Bo', media: plain }]));
    expect(t.sock().sentOfType('media-state').at(-1)).toEqual({ type: 'media-state', data: plain });
    expect(t.room.snapshot.e2ee).toBeUndefined();
    expect(t.workers).toHaveLength(0);
    t.sock().receive({ type: 'media-state', peerId: 'p1', data: encrypted });
    expect(t.room.snapshot.e2ee).toEqual({ encrypting: false, missingKey: true });
    expect(t.room.snapshot.remotes[0]?.e2ee).toBe('no-key');
  });
});
