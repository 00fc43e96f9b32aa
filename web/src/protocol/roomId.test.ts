import { describe, expect, it } from 'vitest';
import { ROOM_ID_PATTERN, generateRoomId, isValidRoomId, parseRoomInput } from './roomId';

describe('room ids', () => {
  it('generates readable ids that the server accepts', () => {
    let seed = 1;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 500; i++) {
      const id = generateRoomId(rnd);
      expect(id).toMatch(ROOM_ID_PATTERN);
      expect(id).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
    }
    expect(generateRoomId(() => 0)).toBe('brave-otter-10');
    expect(generateRoomId(() => 0.9999)).toMatch(/-99$/);
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
