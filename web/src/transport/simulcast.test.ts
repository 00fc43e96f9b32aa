import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../protocol/guards';
import { simulcastEncodings } from './SfuTransport';
import { shownSize } from './tileViews';

describe('simulcast publishing', () => {
  it('sends the layers the capture size allows, low to high', () => {
    expect(simulcastEncodings(360).map((e) => e.rid)).toEqual(['q', 'h', 'f']);
    expect(simulcastEncodings(180).map((e) => e.rid)).toEqual(['h', 'f']);
    expect(simulcastEncodings(120).map((e) => e.rid)).toEqual(['f']);
    expect(simulcastEncodings(undefined).map((e) => e.scaleResolutionDownBy)).toEqual([4, 2, 1]);
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
