// The room key of an end-to-end encrypted call: 128 random bits, base64url, carried in the room
// link's fragment (`/r/<room>#e2ee=<key>`). Browsers never send a fragment to the server, so the
// key reaches the other participants only through the link the users share themselves.

/** Bytes in a key we make; a key read from a link must have at least this many. */
export const ROOM_KEY_BYTES = 16;

export type LinkKey = { kind: 'none' } | { kind: 'key'; key: string; bytes: Uint8Array<ArrayBuffer> } | { kind: 'invalid' };

/** A new random room key, base64url without padding (22 characters). */
export function generateRoomKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return toBase64Url(random(new Uint8Array(ROOM_KEY_BYTES)));
}

/** The key in a location hash (`#e2ee=...`); `invalid` when there is one that is not a usable key. */
export function readLinkKey(hash: string): LinkKey {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const key = params.get('e2ee');
  if (key === null) return { kind: 'none' };
  const bytes = fromBase64Url(key);
  if (!bytes || bytes.length < ROOM_KEY_BYTES || bytes.length > 64) return { kind: 'invalid' };
  return { kind: 'key', key, bytes };
}

/** `url` with the key as its fragment (any fragment it had is replaced). */
export function withLinkKey(url: string, key: string | null): string {
  const bare = url.split('#')[0] ?? url;
  return key ? `${bare}#e2ee=${key}` : bare;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Null unless `s` is base64url without padding (the alphabet only). */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(s) || s.length % 4 === 1) return null;
  try {
    const binary = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
