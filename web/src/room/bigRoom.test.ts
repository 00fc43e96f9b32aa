import { describe, expect, it } from 'vitest';
import { toServerMessage } from '../protocol/guards';
import { pinView } from '../transport/tileViews';
import { cameraForwarded, forwardedCameras } from './bigRoom';

describe('big rooms on the media server', () => {
  it('reads the forwarded cameras from sfu-forwarding, screens aside', () => {
    const forwarded = forwardedCameras([
      { peerId: 'a', source: 'camera' },
      { peerId: 'b', source: 'screen' },
    ]);
    expect([...forwarded]).toEqual(['a']);
    expect(cameraForwarded('a', forwarded)).toBe(true);
    expect(cameraForwarded('b', forwarded)).toBe(false);
    expect(cameraForwarded('b', null)).toBe(true);
  });

  it('marks the pinned camera and lists every other video', () => {
    const views = pinView(
      [
        { id: 'a', screen: false },
        { id: 'b', screen: true },
      ],
      'b',
    );
    expect(views.map((v) => [v.peerId, v.source, v.pinned === true])).toEqual([
      ['a', 'camera', false],
      ['b', 'camera', true],
      ['b', 'screen', false],
    ]);
    expect(views.every((v) => v.width > 0 && v.height > 0)).toBe(true);
  });

  it('parses active-speaker and sfu-forwarding, and refuses malformed ones', () => {
    expect(toServerMessage({ type: 'active-speaker', peerId: 'p1', level: 0.25 })).toEqual({ type: 'active-speaker', peerId: 'p1', level: 0.25, timestamp: undefined });
    expect(toServerMessage({ type: 'active-speaker', level: 0.25 })).toBeNull();
    expect(toServerMessage({ type: 'active-speaker', peerId: 'p1', level: 7 })).toMatchObject({ level: 1 });
    expect(toServerMessage({ type: 'sfu-forwarding', video: [{ peerId: 'p1', source: 'camera' }] })).toEqual({
      type: 'sfu-forwarding',
      video: [{ peerId: 'p1', source: 'camera' }],
      timestamp: undefined,
    });
    expect(toServerMessage({ type: 'sfu-forwarding', video: [{ peerId: 'p1', source: 'radio' }] })).toBeNull();
    expect(toServerMessage({ type: 'sfu-forwarding' })).toBeNull();
  });
});
