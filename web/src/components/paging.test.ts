import { describe, expect, it } from 'vitest';
import { gridPage, gridPageSize, gridTileSize, bestColumns, MAX_GRID_PAGE, MIN_GRID_TILE } from './layout';
import { tileFace } from './tileFace';

describe('grid paging', () => {
  const laptop = { width: 1240, height: 600 };
  // A 390x844 phone: the tile area left between the header and the control bar.
  const phone = { width: 366, height: 620 };

  it('fits at most MAX_GRID_PAGE tiles on a large screen', () => {
    expect(gridPageSize(laptop)).toBe(MAX_GRID_PAGE);
  });

  it('fits fewer on a phone, each tile still at least the minimum size', () => {
    const n = gridPageSize(phone);
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThan(MAX_GRID_PAGE);
    const columns = bestColumns(n, phone);
    const tile = gridTileSize(n, columns, Math.ceil(n / columns), phone);
    expect(tile.width).toBeGreaterThanOrEqual(MIN_GRID_TILE.width);
    expect(tile.height).toBeGreaterThanOrEqual(MIN_GRID_TILE.height);
  });

  it('a tiny stage still shows one tile per page', () => {
    expect(gridPageSize({ width: 100, height: 50 })).toBe(1);
  });

  it('pages through the tiles in order and clamps the page', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
    expect(gridPage(ids, 0, 12)).toEqual({ items: ids.slice(0, 12), page: 0, pages: 3 });
    expect(gridPage(ids, 2, 12)).toEqual({ items: ids.slice(24), page: 2, pages: 3 });
    expect(gridPage(ids, 9, 12).page).toBe(2);
    expect(gridPage(ids, -1, 12).page).toBe(0);
    expect(gridPage(['a'], 0, 12)).toEqual({ items: ['a'], page: 0, pages: 1 });
    expect(gridPage([], 0, 12)).toEqual({ items: [], page: 0, pages: 1 });
  });
});

describe('tile face', () => {
  it('shows the video of a forwarded camera with a picture', () => {
    expect(tileFace({ isLocal: false, cameraOn: true, forwarded: true, picture: true })).toBe('video');
  });
  it('shows the avatar for a camera the media server does not forward', () => {
    expect(tileFace({ isLocal: false, cameraOn: true, forwarded: false, picture: true })).toBe('not-forwarded');
  });
  it('shows the avatar for a camera that is off, forwarded or not', () => {
    expect(tileFace({ isLocal: false, cameraOn: false, forwarded: false, picture: false })).toBe('camera-off');
    expect(tileFace({ isLocal: false, cameraOn: false, forwarded: true, picture: true })).toBe('camera-off');
  });
  it('shows the avatar for a forwarded camera that brings no picture', () => {
    expect(tileFace({ isLocal: false, cameraOn: true, forwarded: true, picture: false })).toBe('no-picture');
  });
  it('our own camera is never subject to forwarding', () => {
    expect(tileFace({ isLocal: true, cameraOn: true, forwarded: false, picture: false })).toBe('video');
  });
});
