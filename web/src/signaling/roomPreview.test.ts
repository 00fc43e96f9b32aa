import { describe, expect, it, vi } from 'vitest';
import { parseRoomPreview, previewSentence, requestRoomPreview, type PreviewSocket } from './roomPreview';

class FakeSocket implements PreviewSocket {
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  sent: string[] = [];
  closedWith: number | undefined | null = null;
  send(text: string) {
    this.sent.push(text);
  }
  close(code?: number) {
    this.closedWith = code;
  }
}

describe('room preview', () => {
  it('asks preview once open, answers the names and closes with 1000', async () => {
    const socket = new FakeSocket();
    const answer = requestRoomPreview(() => socket, 'abc-123');
    socket.onopen?.();
    expect(socket.sent.map((t) => JSON.parse(t) as unknown)).toEqual([{ type: 'preview', roomId: 'abc-123' }]);
    socket.onmessage?.({ data: JSON.stringify({ type: 'room-preview', roomId: 'abc-123', data: { names: ['Ada', 'Bob'] } }) });
    await expect(answer).resolves.toEqual(['Ada', 'Bob']);
    expect(socket.closedWith).toBe(1000);
  });

  it('a refusal, a closed socket or silence give null, never a guess', async () => {
    vi.useFakeTimers();
    try {
      const refused = new FakeSocket();
      const a = requestRoomPreview(() => refused, 'abc-123');
      refused.onopen?.();
      refused.onmessage?.({ data: JSON.stringify({ type: 'error', code: 'forbidden-room', error: 'no' }) });
      await expect(a).resolves.toBeNull();

      const dropped = new FakeSocket();
      const b = requestRoomPreview(() => dropped, 'abc-123');
      dropped.onclose?.();
      await expect(b).resolves.toBeNull();

      const silent = new FakeSocket();
      const c = requestRoomPreview(() => silent, 'abc-123', 5000);
      silent.onopen?.();
      vi.advanceTimersByTime(5000);
      await expect(c).resolves.toBeNull();
      expect(silent.closedWith).toBe(1000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes only a room-preview for the room asked about, and only string names', () => {
    expect(parseRoomPreview(JSON.stringify({ type: 'room-preview', roomId: 'other', data: { names: ['X'] } }), 'abc-123')).toBeNull();
    expect(parseRoomPreview('not json', 'abc-123')).toBeNull();
    expect(parseRoomPreview(JSON.stringify({ type: 'room-preview', roomId: 'abc-123', data: { names: ['Ada', 7, null] } }), 'abc-123')).toEqual(['Ada']);
  });

  it('says who is here in a sentence', () => {
    expect(previewSentence([])).toBe('Nobody is here yet');
    expect(previewSentence(['Bob'])).toBe('Bob is here');
    expect(previewSentence(['Bob', 'Ada'])).toBe('Ada and Bob are here');
    expect(previewSentence(['D', 'C', 'B', 'A'])).toBe('A, B and 2 others are here');
  });
});
