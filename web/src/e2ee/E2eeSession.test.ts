import { describe, expect, it } from 'vitest';
import type { PeerConnectionLike, ReceiverLike, SenderLike, TransceiverLike } from '../rtc/peerConnectionLike';
import { E2eeSession, type WorkerLike } from './E2eeSession';
import type { FromWorker, ToWorker, TransformOptions } from './protocol';

class FakeWorker implements WorkerLike {
  sent: ToWorker[] = [];
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  terminated = false;
  postMessage(msg: ToWorker): void {
    this.sent.push(msg);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(msg: FromWorker): void {
    this.onmessage?.({ data: msg } as MessageEvent<FromWorker>);
  }
}

class FakeTransform {
  constructor(
    readonly worker: WorkerLike,
    readonly options: TransformOptions,
  ) {}
}

type Transformed = { transform?: FakeTransform };

function transceiver(kind: 'audio' | 'video', mid: string): TransceiverLike {
  const sender = { track: null, replaceTrack: () => Promise.resolve() } as SenderLike & Transformed;
  const receiver = { track: { kind } as MediaStreamTrack } as ReceiverLike & Transformed;
  return { mid, direction: 'sendrecv', sender, receiver };
}

function pcWith(ts: TransceiverLike[]): PeerConnectionLike {
  return { getTransceivers: () => ts } as unknown as PeerConnectionLike;
}

const transformOf = (x: SenderLike | ReceiverLike) => (x as Transformed).transform;

function session(key: Uint8Array<ArrayBuffer> | null) {
  const workers: FakeWorker[] = [];
  const s = new E2eeSession({
    key,
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    transformCtor: FakeTransform,
  });
  return { s, workers };
}

describe('E2eeSession', () => {
  it('with the key: encrypts every sender as us and opens every receiver as the connection’s remote, once each', () => {
    const { s, workers } = session(new Uint8Array(16));
    const audio = transceiver('audio', '0');
    const video = transceiver('video', '1');
    const pc = pcWith([audio, video]);
    s.attach(pc, 'me', 'bob');
    s.attach(pc, 'me', 'bob');
    expect(workers).toHaveLength(1);
    expect(workers[0]!.sent[0]).toEqual({ type: 'key', key: new Uint8Array(16) });
    expect(transformOf(audio.sender)?.options).toEqual({ direction: 'send', kind: 'audio', senderId: 'me' });
    expect(transformOf(video.sender)?.options).toEqual({ direction: 'send', kind: 'video', senderId: 'me' });
    expect(transformOf(video.receiver)?.options).toMatchObject({ direction: 'receive', kind: 'video', peerId: 'bob' });
    const slot = (transformOf(video.receiver)?.options as { slot: number }).slot;
    // The same transform stays (a second attach does not replace it).
    expect(transformOf(video.receiver)?.options).toMatchObject({ slot });
  });

  it('on the media server: tells the worker whose track a receiver carries, and forgets failures on a re-map', () => {
    const { s, workers } = session(new Uint8Array(16));
    const video = transceiver('video', '3');
    s.attach(pcWith([video]), 'me', null);
    const slot = (transformOf(video.receiver)?.options as { slot: number; peerId: string | null });
    expect(slot.peerId).toBeNull();
    s.mapReceiver(video.receiver, 'carol');
    expect(workers[0]!.sent.at(-1)).toEqual({ type: 'slot', slot: slot.slot, peerId: 'carol' });

    let changes = 0;
    s.subscribe(() => (changes += 1));
    workers[0]!.reply({ type: 'status', slot: slot.slot, peerId: 'carol', ok: false });
    expect(s.undecryptable('carol')).toBe(true);
    expect(changes).toBe(1);
    s.mapReceiver(video.receiver, 'dave');
    expect(s.undecryptable('carol')).toBe(false);
    expect(changes).toBe(2);
  });

  it('on the media server: a re-map to the same peer (every sfu-answer re-maps all m-lines) keeps its failure', () => {
    // The worker reports a slot once per change and only forgets it when the slot's peer changes:
    // the page forgetting it on a same-peer re-map lost "wrong key" for good.
    const { s, workers } = session(new Uint8Array(16));
    const video = transceiver('video', '3');
    s.attach(pcWith([video]), 'me', null);
    const { slot } = transformOf(video.receiver)?.options as { slot: number };
    s.mapReceiver(video.receiver, 'alice');
    workers[0]!.reply({ type: 'status', slot, peerId: 'alice', ok: false });
    const posted = workers[0]!.sent.length;
    let changes = 0;
    s.subscribe(() => (changes += 1));
    s.mapReceiver(video.receiver, 'alice');
    expect(s.undecryptable('alice')).toBe(true);
    expect(changes).toBe(0);
    expect(workers[0]!.sent).toHaveLength(posted); // nothing for the worker to reset either
  });

  it('on the media server: a status about the slot’s previous peer, crossing its re-map, is not pinned on anyone', () => {
    const { s, workers } = session(new Uint8Array(16));
    const video = transceiver('video', '3');
    s.attach(pcWith([video]), 'me', null);
    const { slot } = transformOf(video.receiver)?.options as { slot: number };
    s.mapReceiver(video.receiver, 'alice');
    s.mapReceiver(video.receiver, 'dave');
    workers[0]!.reply({ type: 'status', slot, peerId: 'alice', ok: false }); // sent before the worker saw 'dave'
    expect(s.undecryptable('alice')).toBe(false);
    expect(s.undecryptable('dave')).toBe(false);
    workers[0]!.reply({ type: 'status', slot, peerId: 'dave', ok: false });
    expect(s.undecryptable('dave')).toBe(true);
  });

  it('a closed connection takes its slots’ failures along: the connection that replaces it starts clean', () => {
    // A reconnect to the media server makes every slot anew; a "wrong key" left from the old
    // connection would keep the tile saying so (and the sender out of the stuck-video watch) even
    // where its frames open on the new one.
    const { s, workers } = session(new Uint8Array(16));
    const old = transceiver('video', '3');
    const oldPc = pcWith([old]);
    s.attach(oldPc, 'me', null);
    const { slot } = transformOf(old.receiver)?.options as { slot: number };
    s.mapReceiver(old.receiver, 'dave');
    workers[0]!.reply({ type: 'status', slot, peerId: 'dave', ok: false });
    let changes = 0;
    s.subscribe(() => (changes += 1));

    s.detach(oldPc);
    expect(s.undecryptable('dave')).toBe(false);
    expect(changes).toBe(1);
    expect(workers[0]!.sent.at(-1)).toEqual({ type: 'forget', slots: [slot] });
    // What still comes about it (in flight, or a late sfu-answer) is about nobody.
    workers[0]!.reply({ type: 'status', slot, peerId: 'dave', ok: false });
    s.mapReceiver(old.receiver, 'erin');
    expect(s.undecryptable('dave')).toBe(false);
    expect(workers[0]!.sent.at(-1)).toEqual({ type: 'forget', slots: [slot] });
    s.detach(oldPc); // twice: nothing more to forget
    expect(workers[0]!.sent.filter((m) => m.type === 'forget')).toHaveLength(1);

    const fresh = transceiver('video', '3');
    s.attach(pcWith([fresh]), 'me', null);
    s.mapReceiver(fresh.receiver, 'dave');
    const next = (transformOf(fresh.receiver)?.options as { slot: number }).slot;
    expect(next).not.toBe(slot);
    workers[0]!.reply({ type: 'status', slot: next, peerId: 'dave', ok: true });
    expect(s.undecryptable('dave')).toBe(false);
  });

  it('says whose frames it withholds: those that do not open, and (without the key) those who encrypt, (with it) those who do not', () => {
    const keyed = session(new Uint8Array(16));
    const video = transceiver('video', '3');
    keyed.s.attach(pcWith([video]), 'me', null);
    const { slot } = transformOf(video.receiver)?.options as { slot: number };
    keyed.s.mapReceiver(video.receiver, 'dave');
    keyed.s.setEncryptedPeers(['bob', 'dave']);
    expect(['bob', 'carol', 'dave'].map((id) => keyed.s.withholds(id))).toEqual([false, true, false]);
    keyed.workers[0]!.reply({ type: 'status', slot, peerId: 'dave', ok: false });
    expect(keyed.s.withholds('dave')).toBe(true);

    const keyless = session(null);
    keyless.s.setEncryptedPeers(['alice']);
    expect(['alice', 'carol'].map((id) => keyless.s.withholds(id))).toEqual([true, false]);
  });

  it('without the key: no sending transform, and no worker until someone announces encryption; then every receiver gets one', () => {
    const { s, workers } = session(null);
    const video = transceiver('video', '0');
    s.mapReceiver(video.receiver, 'alice'); // mapped before it was attached
    s.attach(pcWith([video]), 'me', null);
    expect(workers).toHaveLength(0);
    expect(transformOf(video.sender)).toBeUndefined();
    expect(transformOf(video.receiver)).toBeUndefined();
    s.setEncryptedPeers(['alice']);
    expect(transformOf(video.sender)).toBeUndefined();
    expect(transformOf(video.receiver)?.options).toMatchObject({ direction: 'receive', peerId: 'alice' });
    expect(workers[0]!.sent).toContainEqual({ type: 'key', key: null });
    expect(workers[0]!.sent).toContainEqual({ type: 'encrypted-peers', peerIds: ['alice'] });
    // Later connections get theirs at once.
    const later = transceiver('audio', '1');
    s.attach(pcWith([later]), 'me', 'bob');
    expect(transformOf(later.receiver)?.options).toMatchObject({ direction: 'receive', kind: 'audio', peerId: 'bob' });
  });

  it('does nothing where the browser has no encoded transforms, and says so', () => {
    const s = new E2eeSession({ key: new Uint8Array(16), createWorker: () => new FakeWorker() });
    const video = transceiver('video', '0');
    s.attach(pcWith([video]), 'me', 'bob');
    expect(s.supported).toBe(false);
    expect(transformOf(video.sender)).toBeUndefined();
  });

  it('close ends the worker', () => {
    const { s, workers } = session(new Uint8Array(16));
    s.attach(pcWith([transceiver('audio', '0')]), 'me', 'bob');
    s.close();
    expect(workers[0]!.terminated).toBe(true);
  });
});
