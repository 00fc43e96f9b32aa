// Messages between the page (E2eeSession) and the frame worker (e2eeWorker), and the options
// each RTCRtpScriptTransform is made with.
import type { MediaKindName } from './frameCrypto';

export type TransformOptions =
  | { direction: 'send'; kind: MediaKindName; senderId: string }
  | { direction: 'receive'; kind: MediaKindName; slot: number; peerId: string | null };

export type ToWorker =
  /** The room key's bytes; null: this page has none (it only recognises and drops encrypted frames). */
  | { type: 'key'; key: Uint8Array<ArrayBuffer> | null }
  /** A receiving transform (slot) now carries this peer's frames (the media server re-maps m-lines). */
  | { type: 'slot'; slot: number; peerId: string | null }
  /** Receiving transforms of a connection that closed: their state and counters go with it. */
  | { type: 'forget'; slots: number[] }
  /** The peers that announce they encrypt: a page without the key drops their frames. */
  | { type: 'encrypted-peers'; peerIds: string[] }
  /** Asks for the cost counters (CryptoCost). */
  | { type: 'cost'; id: number };

/** Frames of one kind sealed and opened since the worker started, the time it took and their sizes. */
export interface KindCost {
  encrypted: number;
  encryptMs: number;
  encryptedBytes: number;
  decrypted: number;
  decryptMs: number;
  decryptedBytes: number;
}

/** One receiving transform's frames, for diagnostics: what it opened, dropped, passed on unopened. */
export interface SlotCounters {
  slot: number;
  kind: MediaKindName;
  /** Whose frames it carries now (null: not known yet, its frames are dropped). */
  peerId: string | null;
  /** Opened with the sender's key and handed to the decoder. */
  opened: number;
  /** Could not be opened (or, without a key, were a sender's who encrypts). */
  dropped: number;
  /** Handed to the decoder as they came (without a key: a sender's who does not encrypt). */
  passed: number;
  /** Dropped because whose they were was not known yet. */
  unmapped: number;
  /** Filled in by the page: its tile is told this slot's frames do not open. */
  failing?: boolean;
}

export interface CryptoCost {
  audio: KindCost;
  video: KindCost;
  /** Frames dropped because they could not be opened (or, without a key, were encrypted). */
  dropped: number;
  slots: SlotCounters[];
}

export type FromWorker =
  /** A receiving slot's frames started (ok) or stopped (not ok) opening. */
  | { type: 'status'; slot: number; peerId: string; ok: boolean }
  | { type: 'cost'; id: number; cost: CryptoCost };
