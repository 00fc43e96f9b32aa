// The layout of an encrypted frame, as in the SFrame / insertable-streams examples:
//
//   [clear header][AES-GCM ciphertext + 16-byte tag][IV: 12 bytes][key id: 1 byte]
//
// The clear header is the codec's own first bytes, left readable so that the media server and
// the RTP packetizer still see what they need: VP8's payload header (10 bytes of a key frame: the
// frame tag, start code and size; 3 of a delta frame: the frame tag, whose P bit says key frame
// or not) and Opus's TOC byte. It is not encrypted but it is authenticated (AES-GCM additional
// data), so nobody on the way can change it either. The IV is a per-transform random 4-byte
// prefix and an 8-byte counter (never repeated under one key: see IvSequence). The key id names
// which room key sealed the frame (0: the link's; other values are refused, room for rotation).

export type MediaKindName = 'audio' | 'video';
/** `key`/`delta` for video frames; audio frames have none. */
export type FrameType = 'key' | 'delta' | 'empty' | undefined;

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_ID = 0;
export const TRAILER_BYTES = IV_BYTES + 1;
/** What encryption adds to a frame. */
export const FRAME_OVERHEAD = TAG_BYTES + TRAILER_BYTES;

/** How many leading bytes of a frame stay in clear. */
export function clearHeaderBytes(kind: MediaKindName, type: FrameType): number {
  if (kind === 'audio') return 1;
  return type === 'key' ? 10 : 3;
}

/** Unique IVs for one transform: a random prefix (told apart from other transforms under the same key) and a counter. */
export class IvSequence {
  private readonly prefix: Uint8Array;
  private counter = 0n;

  constructor(random: (b: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)) {
    this.prefix = random(new Uint8Array(4));
  }

  next(): Uint8Array<ArrayBuffer> {
    const iv = new Uint8Array(IV_BYTES);
    iv.set(this.prefix, 0);
    new DataView(iv.buffer).setBigUint64(4, this.counter);
    this.counter += 1n;
    return iv;
  }
}

export async function encryptFrame(key: CryptoKey, data: ArrayBuffer, kind: MediaKindName, type: FrameType, iv: Uint8Array<ArrayBuffer>, subtle: SubtleCrypto = crypto.subtle): Promise<ArrayBuffer> {
  const frame = new Uint8Array(data);
  const clear = Math.min(clearHeaderBytes(kind, type), frame.length);
  const header = frame.subarray(0, clear);
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, frame.subarray(clear)));
  const out = new Uint8Array(clear + sealed.length + TRAILER_BYTES);
  out.set(header, 0);
  out.set(sealed, clear);
  out.set(iv, clear + sealed.length);
  out[out.length - 1] = KEY_ID;
  return out.buffer;
}

/** The original frame, or null when it is not ours to open: too short, another key id, or the tag does not match (wrong key, tampered). */
export async function decryptFrame(key: CryptoKey, data: ArrayBuffer, kind: MediaKindName, type: FrameType, subtle: SubtleCrypto = crypto.subtle): Promise<ArrayBuffer | null> {
  const frame = new Uint8Array(data);
  const clear = clearHeaderBytes(kind, type);
  if (frame.length < clear + TAG_BYTES + TRAILER_BYTES) {
    // A frame shorter than its clear header was sealed with what it had (an empty payload).
    if (frame.length < TAG_BYTES + TRAILER_BYTES) return null;
  }
  if (frame[frame.length - 1] !== KEY_ID) return null;
  const ivAt = frame.length - TRAILER_BYTES;
  const headerBytes = Math.min(clear, ivAt - TAG_BYTES);
  const header = frame.subarray(0, headerBytes);
  const iv = frame.subarray(ivAt, ivAt + IV_BYTES);
  try {
    const plain = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, frame.subarray(headerBytes, ivAt)));
    const out = new Uint8Array(headerBytes + plain.length);
    out.set(header, 0);
    out.set(plain, headerBytes);
    return out.buffer;
  } catch {
    return null;
  }
}
