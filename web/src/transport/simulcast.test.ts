import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../protocol/guards';
import { simulcastEncodings } from './SfuTransport';
import { shownSize } from './tileViews';

describe('simulcast publishing', () => {
  it('sends as many layers as Chrome encodes at the capture size, low to high', () => {
    expect(simulcastEncodings({ width: 1280, height: 720 }).map((e) => e.rid)).toEqual(['q', 'h', 'f']);
    expect(simulcastEncodings({ width: 960, height: 540 }).map((e) => e.rid)).toEqual(['q', 'h', 'f']);
    expect(simulcastEncodings({ width: 640, height: 360 }).map((e) => e.rid)).toEqual(['h', 'f']);
    expect(simulcastEncodings({ width: 480, height: 270 }).map((e) => e.rid)).toEqual(['h', 'f']);
    expect(simulcastEncodings({ width: 320, height: 180 }).map((e) => e.rid)).toEqual(['f']);
    expect(simulcastEncodings(undefined).map((e) => e.scaleResolutionDownBy)).toEqual([4, 2, 1]);
    expect(simulcastEncodings({}).map((e) => e.rid)).toEqual(['q', 'h', 'f']);
  });

  it('reports the picture as fitted in its tile, in device pixels', () => {
    expect(shownSize({ width: 400, height: 400 }, { width: 640, height: 360 }, false, 1)).toEqual({ width: 400, height: 225 });
    expect(shownSize({ width: 400, height: 400 }, { width: 640, height: 360 }, true, 1)).toEqual({ width: 711, height: 400 });
    expect(shownSize({ width: 200, height: 100 }, null, false, 2)).toEqual({ width: 400, height: 200 });
    expect(shownSize({ width: 9000, height: 100 }, null, false, 1).width).toBe(8192);
  });

  it('reads sfu-encodings and refuses a bad one', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'sfu-encodings', source: 'camera', active: ['q', 'f'] }))).toEqual({ type: 'sfu-encodings', source: 'camera', active: ['q', 'f'], timestamp: undefined });
    expect(parseServerMessage(JSON.stringify({ type: 'sfu-encodings', source: 'mic', active: [] }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'sfu-encodings', source: 'camera', active: [1] }))).toBeNull();
  });
});
