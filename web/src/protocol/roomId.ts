// Room ids: the server's rule, mirrored so the UI can reject a bad link before connecting.
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

export function isValidRoomId(id: string): boolean {
  return ROOM_ID_PATTERN.test(id);
}

const ADJECTIVES = [
  'brave', 'calm', 'clever', 'cosmic', 'eager', 'fuzzy', 'gentle', 'golden', 'happy', 'jolly',
  'lucky', 'mellow', 'nimble', 'quiet', 'rapid', 'shiny', 'silver', 'snowy', 'sunny', 'swift',
  'tidy', 'vivid', 'witty', 'zesty',
];
const ANIMALS = [
  'otter', 'falcon', 'panda', 'lynx', 'heron', 'koala', 'badger', 'dolphin', 'fox', 'gecko',
  'ibis', 'jaguar', 'lemur', 'marten', 'narwhal', 'owl', 'puffin', 'quokka', 'raven', 'seal',
  'tapir', 'walrus', 'yak', 'zebra',
];

/** A readable id like `brave-otter-42`. `random` is injectable so tests are deterministic. */
export function generateRoomId(random: () => number = Math.random): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length) % list.length] as T;
  const n = 10 + Math.floor(random() * 90);
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${n}`;
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
