// The page's side of end-to-end encryption (docs/architecture.md, "End-to-end encryption"): one
// frame worker, and an RTCRtpScriptTransform on each sender (with the room key: encrypt with our
// own derived key) and each receiver (open with the sender's derived key, or drop). Transports
// call `attach` on their connections and `mapReceiver` when they learn whose track a receiver
// carries; Room reads which remotes' frames do not open.
//
// A page without the key gets receiving transforms too, once someone in the room announces that
// they encrypt (`media-state.e2ee`): their frames are dropped there instead of being decoded into
// garbage, and the tile says why.
import type { PeerConnectionLike, ReceiverLike, SenderLike } from '../rtc/peerConnectionLike';
import type { MediaKindName } from './frameCrypto';
import type { CryptoCost, FromWorker, ToWorker, TransformOptions } from './protocol';

/** The slice of Worker the session uses (a fake in tests). */
export interface WorkerLike {
  postMessage(msg: ToWorker): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  terminate(): void;
}

type TransformCtor = new (worker: WorkerLike, options: TransformOptions) => unknown;
type Transformable = { transform: unknown };

/** What transports see of it: hooks on their connections. */
export interface FrameProtection {
  /** Puts transforms on every sender and receiver of `pc` that has none yet. `remoteId`: the one remote a mesh connection carries. */
  attach(pc: PeerConnectionLike, localId: string, remoteId: string | null): void;
  /**
   * `pc` is closing: what its receivers said goes with it (a failure there is not one of the
   * connection that replaces it, where the sender may well open).
   */
  detach(pc: PeerConnectionLike): void;
  /** The media server says this receiver carries this peer's track now. */
  mapReceiver(receiver: ReceiverLike, peerId: string | null): void;
  /**
   * This remote's frames reach us and are dropped on purpose (they do not open here, or must not
   * be decoded): its video not decoding is not a stuck decoder, and a new connection would not help.
   */
  withholds(peerId: string): boolean;
}

export interface E2eeSessionOptions {
  /** The room key's bytes from the link; null: no key. */
  key: Uint8Array<ArrayBuffer> | null;
  createWorker: () => WorkerLike;
  /** RTCRtpScriptTransform (absent where the browser has none). */
  transformCtor?: TransformCtor;
}

/** Whether this browser can put encoded-frame transforms on a connection. */
export function browserTransformCtor(): TransformCtor | undefined {
  const ctor = (globalThis as unknown as { RTCRtpScriptTransform?: TransformCtor }).RTCRtpScriptTransform;
  return typeof ctor === 'function' ? ctor : undefined;
}

export class E2eeSession implements FrameProtection {
  /** True when this page has the room key: it encrypts what it sends. */
  readonly encrypting: boolean;
  private readonly opts: E2eeSessionOptions;
  private worker: WorkerLike | null = null;
  private readonly done = new WeakSet<object>();
  private readonly slotOf = new WeakMap<object, number>();
  /** slot -> whose frames it carries now, as last told to the worker. */
  private readonly slotPeer = new Map<number, string | null>();
  private nextSlot = 1;
  /** Receivers a page without the key has not transformed yet (nobody announced encryption). */
  private pending: Array<{ receiver: ReceiverLike; kind: MediaKindName; peerId: string | null }> = [];
  private readonly peerOfPending = new WeakMap<object, string | null>();
  private encryptedPeers: string[] = [];
  /** slot -> peer whose frames do not open there. */
  private readonly failing = new Map<number, string>();
  private costRequests = new Map<number, (c: CryptoCost) => void>();
  private readonly listeners = new Set<() => void>();

  constructor(opts: E2eeSessionOptions) {
    this.opts = opts;
    this.encrypting = opts.key !== null;
  }

  /** False where the browser has no encoded transforms: a page with a key must not join unencrypted. */
  get supported(): boolean {
    return this.opts.transformCtor !== undefined;
  }

  attach(pc: PeerConnectionLike, localId: string, remoteId: string | null): void {
    if (!this.opts.transformCtor) return;
    for (const t of pc.getTransceivers()) {
      const kind = t.receiver.track.kind === 'audio' ? 'audio' : 'video';
      if (this.encrypting && !this.done.has(t.sender)) {
        this.done.add(t.sender);
        this.setTransform(t.sender, { direction: 'send', kind, senderId: localId });
      }
      if (!this.done.has(t.receiver)) {
        this.done.add(t.receiver);
        const peerId = remoteId ?? this.peerOfPending.get(t.receiver) ?? null;
        if (this.encrypting || this.encryptedPeers.length > 0) this.attachReceiver(t.receiver, kind, peerId);
        else this.pending.push({ receiver: t.receiver, kind, peerId });
      }
    }
  }

  detach(pc: PeerConnectionLike): void {
    const slots: number[] = [];
    let changed = false;
    for (const t of pc.getTransceivers()) {
      this.pending = this.pending.filter((p) => p.receiver !== t.receiver);
      const slot = this.slotOf.get(t.receiver);
      if (slot === undefined || !this.slotPeer.has(slot)) continue;
      slots.push(slot);
      this.slotPeer.delete(slot);
      if (this.failing.delete(slot)) changed = true;
    }
    if (slots.length > 0) this.post({ type: 'forget', slots });
    if (changed) this.changed();
  }

  mapReceiver(receiver: ReceiverLike, peerId: string | null): void {
    const slot = this.slotOf.get(receiver);
    if (slot !== undefined) {
      if (!this.slotPeer.has(slot)) return; // its connection closed (detach)
      // Every sfu-answer re-maps every m-line: the same peer again changes nothing. Forgetting its
      // failure here lost it for good, as the worker reports a slot's state only when it changes.
      if (this.slotPeer.get(slot) === peerId) return;
      this.slotPeer.set(slot, peerId);
      this.post({ type: 'slot', slot, peerId });
      if (this.failing.delete(slot)) this.changed();
      return;
    }
    const waiting = this.pending.find((p) => p.receiver === receiver);
    if (waiting) waiting.peerId = peerId;
    else this.peerOfPending.set(receiver, peerId);
  }

  /** The remotes whose media-state says they encrypt. */
  setEncryptedPeers(peerIds: string[]): void {
    if (peerIds.length === this.encryptedPeers.length && peerIds.every((id, i) => id === this.encryptedPeers[i])) return;
    this.encryptedPeers = [...peerIds];
    this.post({ type: 'encrypted-peers', peerIds: this.encryptedPeers });
    if (peerIds.length === 0 || this.encrypting) return;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.attachReceiver(p.receiver, p.kind, p.peerId);
  }

  /** Which remotes' frames stopped (or started again) opening. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A remote's frames arrive but do not open (wrong key, or not encrypted when we expect it). */
  undecryptable(peerId: string): boolean {
    for (const p of this.failing.values()) if (p === peerId) return true;
    return false;
  }

  withholds(peerId: string): boolean {
    if (!this.opts.transformCtor) return false; // no transforms: every frame goes to the decoder
    // Without the key, the frames of those who encrypt are dropped; with it, those of anyone who
    // does not (they do not open), before the worker has seen enough of them to say so.
    return this.undecryptable(peerId) || this.encryptedPeers.includes(peerId) !== this.encrypting;
  }

  /** Time spent sealing and opening frames so far, and each receiving slot's frames (tests and the measurement). */
  cost(): Promise<CryptoCost | null> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(null);
    const id = this.nextSlot++;
    return new Promise((resolve) => {
      this.costRequests.set(id, (c) => resolve({ ...c, slots: c.slots.map((slot) => ({ ...slot, failing: this.failing.has(slot.slot) })) }));
      worker.postMessage({ type: 'cost', id });
    });
  }

  close(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private attachReceiver(receiver: ReceiverLike, kind: MediaKindName, peerId: string | null): void {
    const slot = this.nextSlot++;
    this.slotOf.set(receiver, slot);
    this.slotPeer.set(slot, peerId);
    this.setTransform(receiver, { direction: 'receive', kind, slot, peerId });
  }

  private setTransform(target: SenderLike | ReceiverLike, options: TransformOptions): void {
    const Ctor = this.opts.transformCtor;
    if (!Ctor) return;
    try {
      (target as unknown as Transformable).transform = new Ctor(this.ensureWorker(), options);
    } catch (err) {
      console.warn('pulsemeet: could not put an encryption transform on a connection', err);
    }
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.opts.createWorker();
    worker.onmessage = (ev) => this.onWorkerMessage(ev.data);
    worker.postMessage({ type: 'key', key: this.opts.key });
    if (this.encryptedPeers.length > 0) worker.postMessage({ type: 'encrypted-peers', peerIds: this.encryptedPeers });
    this.worker = worker;
    return worker;
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private post(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }

  private onWorkerMessage(msg: FromWorker): void {
    if (msg.type === 'cost') {
      this.costRequests.get(msg.id)?.(msg.cost);
      this.costRequests.delete(msg.id);
      return;
    }
    // About the slot's previous peer (it crossed our re-map on its way): the worker starts over.
    if (this.slotPeer.get(msg.slot) !== msg.peerId) return;
    const was = this.failing.get(msg.slot);
    if (msg.ok) this.failing.delete(msg.slot);
    else this.failing.set(msg.slot, msg.peerId);
    if (was !== this.failing.get(msg.slot)) this.changed();
  }
}

/** The frame worker, bundled by Vite as its own file (the CSP's script-src 'self' allows it). */
export function createFrameWorker(): WorkerLike {
  return new Worker(new URL('./e2eeWorker.ts', import.meta.url), { type: 'module', name: 'pulsemeet-e2ee' }) as unknown as WorkerLike;
}
