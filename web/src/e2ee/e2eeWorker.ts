// The frame worker: every encoded frame we send goes through a sending transform here and leaves
// encrypted; every frame we receive goes through a receiving transform and is opened with its
// sender's key, or dropped (never handed to the decoder) when it cannot be. One worker per page,
// shared by every transform (RTCRtpScriptTransform); see E2eeSession for the page's side.
/// <reference lib="webworker" />
import { IvSequence, decryptFrame, encryptFrame, type FrameType, type MediaKindName } from './frameCrypto';
import { deriveSenderKey } from './keyDerivation';
import type { CryptoCost, FromWorker, SlotCounters, ToWorker, TransformOptions } from './protocol';

declare const self: DedicatedWorkerGlobalScope & { onrtctransform: ((ev: Event & { transformer: ScriptTransformer }) => void) | null };

interface EncodedFrame {
  data: ArrayBuffer;
  type?: FrameType;
}
interface ScriptTransformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: TransformOptions;
}

/** Consecutive frames a slot may fail to open before its tile is told (a re-mapped m-line's last frames of the previous sender are expected to fail). */
const FAILURES_BEFORE_REPORT = 10;

let roomKey: Uint8Array<ArrayBuffer> | null = null;
const keys = new Map<string, Promise<CryptoKey>>();
interface Slot {
  peerId: string | null;
  failures: number;
  reportedOk: boolean | null;
  /** What its frames came to; whose they are is `peerId`, added when read. */
  counters: Omit<SlotCounters, 'peerId'>;
}
const slots = new Map<number, Slot>();
let encryptedPeers = new Set<string>();
const emptyKindCost = () => ({ encrypted: 0, encryptMs: 0, encryptedBytes: 0, decrypted: 0, decryptMs: 0, decryptedBytes: 0 });
const cost: Omit<CryptoCost, 'slots'> = { audio: emptyKindCost(), video: emptyKindCost(), dropped: 0 };
const newSlot = (slot: number, peerId: string | null, kind: MediaKindName = 'video'): Slot => ({
  peerId,
  failures: 0,
  reportedOk: null,
  counters: { slot, kind, opened: 0, dropped: 0, passed: 0, unmapped: 0 },
});

function post(msg: FromWorker): void {
  self.postMessage(msg);
}

function keyOf(peerId: string): Promise<CryptoKey> | null {
  if (!roomKey) return null;
  let key = keys.get(peerId);
  if (!key) keys.set(peerId, (key = deriveSenderKey(roomKey, peerId)));
  return key;
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'key':
      roomKey = msg.key;
      keys.clear();
      return;
    case 'slot': {
      const slot = slots.get(msg.slot);
      if (!slot) {
        slots.set(msg.slot, newSlot(msg.slot, msg.peerId));
      } else if (slot.peerId !== msg.peerId) {
        // Another sender on this m-line: its failures start over (counters stay, for diagnostics).
        Object.assign(slot, { peerId: msg.peerId, failures: 0, reportedOk: null });
      }
      return;
    }
    case 'forget':
      for (const slot of msg.slots) slots.delete(slot);
      return;
    case 'encrypted-peers':
      encryptedPeers = new Set(msg.peerIds);
      return;
    case 'cost':
      post({ type: 'cost', id: msg.id, cost: { audio: { ...cost.audio }, video: { ...cost.video }, dropped: cost.dropped, slots: [...slots.values()].map((s) => ({ ...s.counters, peerId: s.peerId })) } });
      return;
  }
};

function sending(kind: MediaKindName, senderId: string): TransformStream<EncodedFrame, EncodedFrame> {
  const ivs = new IvSequence();
  return new TransformStream({
    async transform(frame, out) {
      const key = keyOf(senderId);
      if (!key) return; // no key: nothing may leave unencrypted from a sending transform
      if (frame.data.byteLength === 0) {
        out.enqueue(frame);
        return;
      }
      const started = performance.now();
      frame.data = await encryptFrame(await key, frame.data, kind, frame.type, ivs.next());
      const c = cost[kind];
      c.encryptMs += performance.now() - started;
      c.encrypted += 1;
      c.encryptedBytes += frame.data.byteLength;
      out.enqueue(frame);
    },
  });
}

function report(slotId: number, ok: boolean): void {
  const slot = slots.get(slotId);
  if (!slot || slot.peerId === null) return;
  if (ok) {
    slot.failures = 0;
  } else {
    cost.dropped += 1;
    slot.counters.dropped += 1;
    slot.failures += 1;
    if (slot.failures < FAILURES_BEFORE_REPORT) return;
  }
  if (slot.reportedOk === ok) return;
  slot.reportedOk = ok;
  post({ type: 'status', slot: slotId, peerId: slot.peerId, ok });
}

function receiving(kind: MediaKindName, slotId: number, peerId: string | null): TransformStream<EncodedFrame, EncodedFrame> {
  const known = slots.get(slotId);
  if (known) known.counters.kind = kind;
  else slots.set(slotId, newSlot(slotId, peerId, kind));
  return new TransformStream({
    async transform(frame, out) {
      const slot = slots.get(slotId);
      const sender = slot?.peerId ?? null;
      if (frame.data.byteLength === 0) {
        out.enqueue(frame);
        return;
      }
      if (sender === null) {
        if (slot) slot.counters.unmapped += 1;
        return; // whose it is is not known yet: nothing to open it with
      }
      const key = keyOf(sender);
      if (!key) {
        // No key on this page: frames of a participant who encrypts are dropped, not decoded
        // into garbage; the others' plain frames pass.
        if (encryptedPeers.has(sender)) {
          report(slotId, false);
        } else {
          if (slot) slot.counters.passed += 1;
          out.enqueue(frame);
        }
        return;
      }
      const started = performance.now();
      const plain = await decryptFrame(await key, frame.data, kind, frame.type);
      if (!plain) {
        report(slotId, false);
        return;
      }
      const c = cost[kind];
      c.decryptMs += performance.now() - started;
      c.decrypted += 1;
      c.decryptedBytes += plain.byteLength;
      frame.data = plain;
      out.enqueue(frame);
      if (slot) slot.counters.opened += 1;
      report(slotId, true);
    },
  });
}

self.onrtctransform = (ev) => {
  const t = ev.transformer;
  const o = t.options;
  const stream: TransformStream<EncodedFrame, EncodedFrame> = o.direction === 'send' ? sending(o.kind, o.senderId) : receiving(o.kind, o.slot, o.peerId);
  const readable = t.readable as unknown as ReadableStream<EncodedFrame>;
  void readable.pipeThrough(stream).pipeTo(t.writable as unknown as WritableStream<EncodedFrame>).catch(() => undefined); // ends with the connection
};
