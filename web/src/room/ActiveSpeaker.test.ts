import { describe, expect, it } from 'vitest';
import { ActiveSpeaker, orderRemotes } from './ActiveSpeaker';

const levels = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('ActiveSpeaker', () => {
  it('picks the loudest speaker and ignores levels below the threshold', () => {
    const s = new ActiveSpeaker({ threshold: 0.05, holdMs: 1000 });
    expect(s.update(levels({ a: 0.01, b: 0.02 }), 0)).toBeNull();
    expect(s.update(levels({ a: 0.2, b: 0.4 }), 100)).toBe('b');
  });

  it('keeps the ring through short pauses and hands it over only after the hold time', () => {
    const s = new ActiveSpeaker({ threshold: 0.05, holdMs: 1000 });
    s.update(levels({ a: 0.3, b: 0 }), 0);
    // a pauses, b starts: a keeps it for the hold time.
    expect(s.update(levels({ a: 0, b: 0.5 }), 500)).toBe('a');
    expect(s.update(levels({ a: 0, b: 0.5 }), 999)).toBe('a');
    expect(s.update(levels({ a: 0, b: 0.5 }), 1000)).toBe('b');
    // Everyone quiet long enough: nobody.
    expect(s.update(levels({ a: 0, b: 0 }), 2100)).toBeNull();
  });

  it('forgets a speaker who left', () => {
    const s = new ActiveSpeaker({ threshold: 0.05, holdMs: 1000 });
    s.update(levels({ a: 0.3 }), 0);
    expect(s.update(levels({ b: 0 }), 100)).toBeNull();
  });
});

describe('orderRemotes', () => {
  const r = (...ids: string[]) => ids.map((id) => ({ id }));
  it('keeps join order while the grid is roomy', () => {
    expect(orderRemotes(r('a', 'b', 'c'), 'c', 4).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
  it('puts the speaker first once the grid is crowded', () => {
    expect(orderRemotes(r('a', 'b', 'c', 'd'), 'c', 4).map((x) => x.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(orderRemotes(r('a', 'b', 'c', 'd'), null, 4).map((x) => x.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(orderRemotes(r('a', 'b', 'c', 'd'), 'gone', 4).map((x) => x.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
