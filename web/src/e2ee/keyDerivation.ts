// Per-sender keys: everyone holds the same room key, but each participant encrypts with a key of
// its own, HKDF-SHA256(room key, salt, info = label + its peer id). A receiver derives the
// sender's key from the peer id of the connection (mesh) or of the m-line (media server) the
// frame arrived on, so a frame one participant sent cannot be passed off as another's, and two
// senders never share a key (their IVs could not collide across keys).

const SALT = new Uint8Array(new TextEncoder().encode('PulseMeet e2ee v1 salt'));
const INFO_PREFIX = 'PulseMeet e2ee v1 sender ';
/** AES-128-GCM. */
export const SENDER_KEY_BITS = 128;

export function senderKeyInfo(peerId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new TextEncoder().encode(INFO_PREFIX + peerId));
}

export function hkdfSalt(): Uint8Array<ArrayBuffer> {
  return SALT;
}

/** The raw bits of a sender's key (tests compare them with Node's own HKDF). */
export async function deriveSenderKeyBits(roomKey: Uint8Array<ArrayBuffer>, peerId: string, subtle: SubtleCrypto = crypto.subtle): Promise<ArrayBuffer> {
  const ikm = await subtle.importKey('raw', roomKey, 'HKDF', false, ['deriveBits']);
  return subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: senderKeyInfo(peerId) }, ikm, SENDER_KEY_BITS);
}

/** A sender's AES-GCM key, usable for both directions, not extractable. */
export async function deriveSenderKey(roomKey: Uint8Array<ArrayBuffer>, peerId: string, subtle: SubtleCrypto = crypto.subtle): Promise<CryptoKey> {
  const bits = await deriveSenderKeyBits(roomKey, peerId, subtle);
  return subtle.importKey('raw', bits, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}
