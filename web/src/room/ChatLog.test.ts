import { describe, expect, it } from 'vitest';
import { ChatLog, parseChatWire } from './ChatLog';

describe('ChatLog', () => {
  it('counts unread messages only while closed, and opening clears them', () => {
    const log = new ChatLog();
    log.addIncoming('p1', 'Ada', 'hi', 1);
    log.addIncoming('p1', 'Ada', 'there', 2);
    expect(log.snapshot.unread).toBe(2);
    log.setOpen(true);
    expect(log.snapshot.unread).toBe(0);
    log.addIncoming('p1', 'Ada', 'seen at once', 3);
    expect(log.snapshot.unread).toBe(0);
    log.addOwn('Me', 'mine', 4);
    expect(log.snapshot.messages.map((m) => [m.fromId, m.text])).toEqual([
      ['p1', 'hi'],
      ['p1', 'there'],
      ['p1', 'seen at once'],
      [null, 'mine'],
    ]);
  });

  it('marks who an own message could not reach', () => {
    const log = new ChatLog();
    const m = log.addOwn('Me', 'hello', 1);
    log.markUndelivered(m.id, ['Bob']);
    expect(log.snapshot.messages[0]!.undelivered).toEqual(['Bob']);
  });
});

describe('parseChatWire', () => {
  it('accepts chat messages and keeps markup as plain text', () => {
    expect(parseChatWire('{"type":"chat","text":"<b>x</b>"}')).toEqual({ type: 'chat', text: '<b>x</b>' });
  });
  it('rejects anything else', () => {
    for (const bad of ['nope', '{"type":"chat"}', '{"type":"other","text":"x"}', '{"type":"chat","text":"   "}', 'null', '[]']) {
      expect(parseChatWire(bad)).toBeNull();
    }
  });
  it('caps very long messages', () => {
    expect(parseChatWire(JSON.stringify({ type: 'chat', text: 'x'.repeat(5000) }))!.text).toHaveLength(2000);
  });
});
