import { describe, expect, it } from 'vitest';
import { awarenessEvents, participantRows, raisedHandOrder, raisedIds } from './awareness';
import type { RemoteView, RoomSnapshot } from './RoomSnapshot';
import { EMPTY_METRICS } from '../rtc/stats';
import type { ChatMessage } from './ChatLog';

function remote(id: string, name: string, extra: Partial<RemoteView['media']> = {}, level: RemoteView['level'] = 'good'): RemoteView {
  return {
    id,
    name,
    media: { audio: true, video: true, screen: false, ...extra },
    audioTrack: null,
    videoTrack: null,
    screenTrack: null,
    sendQuality: null,
    connectionState: 'connected',
    connectIssue: null,
    metrics: EMPTY_METRICS,
    level,
    history: [],
    videoForwarded: true,
  };
}

function snap(remotes: RemoteView[], over: Partial<RoomSnapshot> = {}): RoomSnapshot {
  return {
    phase: 'joined',
    connection: 'open',
    reconnectAttempt: 0,
    maxReconnectAttempts: 5,
    localId: 'me',
    localName: 'Me',
    remotes,
    error: null,
    local: { hand: false, recording: false, screenTrack: null },
    activeSpeakerId: null,
    chat: { messages: [], unread: 0, open: false },
    ...over,
  };
}

const message = (id: number, fromId: string | null, name: string, text: string): ChatMessage => ({ id, fromId, name, text, at: 0, undelivered: [] });

describe('raisedHandOrder', () => {
  it('keeps the order hands went up in, whatever order the roster lists them', () => {
    let order = raisedHandOrder([], ['b']);
    order = raisedHandOrder(order, ['a', 'b']);
    order = raisedHandOrder(order, ['a', 'b', 'c']);
    expect(order).toEqual(['b', 'a', 'c']);
  });
  it('forgets a lowered hand: raised again, it goes to the back', () => {
    let order = raisedHandOrder([], ['a', 'b']);
    order = raisedHandOrder(order, ['b']);
    order = raisedHandOrder(order, ['b', 'a']);
    expect(order).toEqual(['b', 'a']);
  });
});

describe('participantRows', () => {
  it('lists raised hands first in the order raised, then us, then the others by name', () => {
    const s = snap([remote('z', 'Zoe'), remote('c', 'Cy', { hand: true }), remote('a', 'Al', { hand: true }), remote('b', 'Bo', { audio: false }, 'poor')], {
      local: { hand: true, recording: false, screenTrack: null },
    });
    const rows = participantRows(s, { name: 'Me', audio: true, video: false }, ['a', 'me', 'c']);
    expect(rows.map((r) => r.name)).toEqual(['Al', 'Me', 'Cy', 'Bo', 'Zoe']);
    expect(rows[1]).toMatchObject({ isLocal: true, video: false, quality: null });
    expect(rows.find((r) => r.name === 'Bo')).toMatchObject({ audio: false, quality: 'poor', hand: false });
  });
  it('raisedIds includes our own hand under our id', () => {
    expect(raisedIds(snap([remote('b', 'Bo', { hand: true })], { local: { hand: true, recording: false, screenTrack: null } }))).toEqual(['me', 'b']);
  });
});

describe('awarenessEvents', () => {
  it('says who joined, left and raised a hand, as visible notices', () => {
    const before = snap([remote('a', 'Ada'), remote('b', 'Bob')]);
    const after = snap([remote('a', 'Ada', { hand: true }), remote('c', 'Cleo')]);
    expect(awarenessEvents(before, after)).toEqual([
      { text: 'Ada raised their hand', visible: true },
      { text: 'Cleo joined', visible: true },
      { text: 'Bob left', visible: true },
    ]);
  });
  it('announces new chat messages from others, not our own, and not visibly', () => {
    const before = snap([], { chat: { messages: [message(1, 'a', 'Ada', 'old')], unread: 0, open: false } });
    const after = snap([], { chat: { messages: [message(1, 'a', 'Ada', 'old'), message(2, null, 'Me', 'mine'), message(3, 'a', 'Ada', 'hi')], unread: 1, open: false } });
    expect(awarenessEvents(before, after)).toEqual([{ text: 'Message from Ada: hi', visible: false }]);
  });
  it('announces reconnecting and coming back', () => {
    const joined = snap([]);
    const lost = snap([], { phase: 'reconnecting' });
    expect(awarenessEvents(joined, lost)).toEqual([{ text: 'Connection to the server lost, reconnecting', visible: false }]);
    expect(awarenessEvents(lost, joined)).toEqual([{ text: 'Reconnected', visible: false }]);
  });
  it('says nothing for the first snapshot or an unchanged one', () => {
    const s = snap([remote('a', 'Ada', { hand: true })]);
    expect(awarenessEvents(null, s)).toEqual([]);
    expect(awarenessEvents(s, s)).toEqual([]);
  });
});
