// The `moved` data-channel message: only the exact type counts; whatever else a peer sends
// (chat, other types, non-JSON, JSON that is not an object) is not one.
import { describe, expect, it } from 'vitest';
import { isMovedWire, MOVED_WIRE } from './meshWire';

describe('meshWire', () => {
  it('reads the moved message and nothing else as one', () => {
    expect(isMovedWire(MOVED_WIRE)).toBe(true);
    expect(isMovedWire('{"type":"moved","extra":1}')).toBe(true);
    for (const data of ['{"type":"chat","text":"moved"}', '{"type":"Moved"}', '"moved"', 'null', '[{"type":"moved"}]', '{"type":', '', 'moved', '{"type":["moved"]}']) {
      expect(isMovedWire(data), data).toBe(false);
    }
  });
});
