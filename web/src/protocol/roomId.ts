// Room ids: the server's rule, mirrored so the UI can reject a bad link before connecting.
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

export function isValidRoomId(id: string): boolean {
  return ROOM_ID_PATTERN.test(id);
}

/**
 * Crockford's base32 alphabet in lower case: digits and letters without i, l, o and u, so no two
 * characters look or sound alike (0/o, 1/l/i) when a code is read aloud or typed from a screen.
 * 32 characters: 5 bits each.
 */
export const ROOM_ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Characters per group and groups per id: 3 x 4 = 12 characters, 60 random bits. */
const GROUPS = 3;
const GROUP_LENGTH = 4;
/** log2(32^12): how many guesses it takes, on average half of 2^60, to find a room by chance. */
export const ROOM_ID_BITS = GROUPS * GROUP_LENGTH * Math.log2(ROOM_ID_ALPHABET.length);

/** Fills `bytes` with cryptographically strong random values. */
export type RandomFill = (bytes: Uint8Array) => void;
const cryptoFill: RandomFill = (bytes) => {
  globalThis.crypto.getRandomValues(bytes);
};

/**
 * A new room id like `k7qm-3fzt-x9bh`: 12 characters from ROOM_ID_ALPHABET, 60 bits from
 * `crypto.getRandomValues` (never Math.random). The room id is all that keeps an open room
 * private, so it must not be guessable: the old `brave-otter-42` ids had 51 840 values, which one
 * client walked through in seconds. Each character takes the low 5 bits of one random byte
 * (256 is a multiple of 32, so every character is equally likely).
 */
export function generateRoomId(fill: RandomFill = cryptoFill): string {
  const bytes = new Uint8Array(GROUPS * GROUP_LENGTH);
  fill(bytes);
  const chars = Array.from(bytes, (b) => ROOM_ID_ALPHABET[b & 31]);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) groups.push(chars.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH).join(''));
  return groups.join('-');
}

/**
 * Accepts a bare id or a pasted invite link (`https://host/r/<id>`), returns the id or null.
 */
export function parseRoomInput(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const fromPath = (path: string): string | null => {
    const m = /\/r\/([^/?#]+)/.exec(path);
    if (!m || !m[1]) return null;
    let id: string;
    try {
      id = decodeURIComponent(m[1]);
    } catch {
      return null;
    }
    return isValidRoomId(id) ? id : null;
  };
  if (/^[a-z]+:\/\//i.test(text)) {
    try {
      return fromPath(new URL(text).pathname);
    } catch {
      return null;
    }
  }
  if (text.includes('/r/')) return fromPath(text);
  return isValidRoomId(text) ? text : null;
}
