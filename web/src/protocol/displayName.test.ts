import { describe, expect, it } from 'vitest';
import { MAX_NAME_CHARS, sanitizeDisplayName } from './displayName';
import { parseServerMessage } from './guards';

describe('display names', () => {
  it('drops control characters and bidi overrides, then trims', () => {
    expect(sanitizeDisplayName('a\u0007b\u0000c\td\ne')).toBe('abcde');
    expect(sanitizeDisplayName('Al\u0085i\u009f\u007fce')).toBe('Alice');
    expect(sanitizeDisplayName('Mallory\u202egnp.exe')).toBe('Mallorygnp.exe');
    expect(sanitizeDisplayName('\u2066Bob\u2069\u202a\u202b\u202c\u202d\u2067\u2068\u2028\u2029')).toBe('Bob');
    expect(sanitizeDisplayName(' \u202e  Eve \u0085 ')).toBe('Eve');
    expect(sanitizeDisplayName('\u202e\u0085 ')).toBe('');
  });

  it('keeps everything else and counts code points, as the server does', () => {
    expect(sanitizeDisplayName('Zoë 好 😀\u200d')).toBe('Zoë 好 😀\u200d');
    const emoji = '😀'.repeat(70); // 140 UTF-16 units, 70 code points
    expect(Array.from(sanitizeDisplayName(emoji))).toHaveLength(MAX_NAME_CHARS);
    expect(sanitizeDisplayName(emoji)).toBe('😀'.repeat(64)); // never half a surrogate pair
    expect(sanitizeDisplayName('x\u202e'.repeat(64))).toBe('x'.repeat(64));
  });

  it('cleans names arriving from the server before anything renders them', () => {
    const joined = parseServerMessage(
      JSON.stringify({
        type: 'room-joined',
        peerId: 'me',
        data: { peers: [{ peerId: 'p1', name: 'Mal\u202elory\u0085' }] },
      }),
    );
    expect(joined?.type === 'room-joined' && joined.data.peers[0]?.name).toBe('Mallory');
    const peerJoined = parseServerMessage(
      JSON.stringify({ type: 'peer-joined', peerId: 'p2', data: { name: '\u2066Eve\u2069\u0007' } }),
    );
    expect(peerJoined?.type === 'peer-joined' && peerJoined.data.name).toBe('Eve');
  });
});
