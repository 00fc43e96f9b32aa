import { describe, expect, it, vi } from 'vitest';
import { ROOM_ID_ALPHABET, ROOM_ID_BITS, ROOM_ID_PATTERN, generateRoomId, isValidRoomId, parseRoomInput } from './roomId';

describe('room ids', () => {
  it('generates ids of at least 60 bits that the server accepts and people can read out', () => {
    expect(ROOM_ID_ALPHABET).toHaveLength(32);
    expect(new Set(ROOM_ID_ALPHABET).size).toBe(32);
    expect(ROOM_ID_ALPHABET).not.toMatch(/[ilou]/); // no look-alikes of 1 and 0, no u/v
    expect(ROOM_ID_BITS).toBe(60);
    for (let i = 0; i < 500; i++) {
      const id = generateRoomId();
      expect(id).toMatch(ROOM_ID_PATTERN);
      expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    }
    // Every character of the alphabet turns up in every position: nothing is fixed.
    const seen = Array.from({ length: 12 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      [...generateRoomId().replace(/-/g, '')].forEach((c, p) => seen[p]?.add(c));
    }
    for (const s of seen) expect(s.size).toBe(32);
  });

  it('takes its randomness from crypto.getRandomValues, never Math.random', () => {
    const mathRandom = vi.spyOn(Math, 'random');
    const getRandomValues = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const bytes = array as unknown as Uint8Array;
      bytes.forEach((_, i) => (bytes[i] = i * 33)); // i * 33 & 31 = i: the alphabet in order
      return array;
    });
    try {
      expect(generateRoomId()).toBe('0123-4567-89ab');
      expect(getRandomValues).toHaveBeenCalledTimes(1);
      expect((getRandomValues.mock.calls[0]?.[0] as Uint8Array).length).toBe(12); // 12 x 5 bits
      expect(mathRandom).not.toHaveBeenCalled();
    } finally {
      getRandomValues.mockRestore();
      mathRandom.mockRestore();
    }
    // All bits of the byte above the low five are ignored: 0xff -> 'z', 0xe0 -> '0'.
    expect(generateRoomId((b) => b.fill(0xff))).toBe('zzzz-zzzz-zzzz');
    expect(generateRoomId((b) => b.fill(0xe0))).toBe('0000-0000-0000');
  });

  it('still takes the short and old-style codes people type by hand', () => {
    expect(parseRoomInput('abc')).toBe('abc');
    expect(parseRoomInput('brave-otter-42')).toBe('brave-otter-42');
    expect(parseRoomInput('Team_Sync')).toBe('Team_Sync');
    expect(parseRoomInput(' k7qm-3fzt-x9bh ')).toBe('k7qm-3fzt-x9bh');
  });

  it('validates like the server', () => {
    expect(isValidRoomId('abc')).toBe(true);
    expect(isValidRoomId('A_b-9'.repeat(12).slice(0, 64))).toBe(true);
    expect(isValidRoomId('ab')).toBe(false);
    expect(isValidRoomId('a'.repeat(65))).toBe(false);
    expect(isValidRoomId('has space')).toBe(false);
    expect(isValidRoomId('émoji')).toBe(false);
  });

  it('parses ids and pasted links', () => {
    expect(parseRoomInput('  brave-otter-42 ')).toBe('brave-otter-42');
    expect(parseRoomInput('https://meet.example.com/r/brave-otter-42')).toBe('brave-otter-42');
    expect(parseRoomInput('http://127.0.0.1:8080/r/abc_DEF?x=1#y')).toBe('abc_DEF');
    expect(parseRoomInput('meet.example.com/r/team-sync')).toBe('team-sync');
    expect(parseRoomInput('https://meet.example.com/')).toBeNull();
    expect(parseRoomInput('https://meet.example.com/r/a b')).toBeNull();
    expect(parseRoomInput('no')).toBeNull();
    expect(parseRoomInput('')).toBeNull();
  });
});
