import { describe, expect, it } from 'vitest';
import { bestColumns, chooseLayout, gridTileSize, clampInset, defaultInset, insetSize, videoFit, type LayoutInput } from './layout';

const DESKTOP = { width: 1240, height: 620 };
const PHONE = { width: 366, height: 640 };

function input(over: Partial<LayoutInput>): LayoutInput {
  return { localId: 'me', remoteIds: ['a', 'b', 'c'], activeSpeakerId: null, pinnedId: null, mode: 'speaker', selfHidden: false, presenting: false, stage: DESKTOP, ...over };
}

describe('speaker view', () => {
  it('shows the active speaker large and everyone else, us first, in the strip', () => {
    const l = chooseLayout(input({ activeSpeakerId: 'b' }));
    expect(l.kind).toBe('speaker');
    expect(l.main).toBe('b');
    expect(l.tiles).toEqual(['me', 'a', 'c']);
    expect(l.inset).toBeNull();
  });

  it('a pinned person stays large whoever speaks', () => {
    const l = chooseLayout(input({ activeSpeakerId: 'b', pinnedId: 'c' }));
    expect(l.main).toBe('c');
    expect(l.tiles).toEqual(['me', 'a', 'b']);
  });

  it('a pin on someone who left is ignored', () => {
    expect(chooseLayout(input({ activeSpeakerId: 'b', pinnedId: 'gone' })).main).toBe('b');
  });

  it('when nobody speaks, whoever spoke last stays large, else the first to join', () => {
    expect(chooseLayout(input({ lastSpeakerId: 'c' })).main).toBe('c');
    expect(chooseLayout(input({ lastSpeakerId: 'gone' })).main).toBe('a');
    expect(chooseLayout(input({})).main).toBe('a');
  });

  it('puts the strip beside the speaker on a landscape stage and below on a portrait one', () => {
    expect(chooseLayout(input({ stage: DESKTOP })).stripSide).toBe('right');
    expect(chooseLayout(input({ stage: PHONE })).stripSide).toBe('bottom');
  });

  it('hide self-view drops our tile from the strip', () => {
    expect(chooseLayout(input({ activeSpeakerId: 'a', selfHidden: true })).tiles).toEqual(['b', 'c']);
  });
});

describe('a 1:1 call', () => {
  it('shows the other person on the whole stage and us as a small inset', () => {
    const l = chooseLayout(input({ remoteIds: ['a'] }));
    expect(l).toMatchObject({ kind: 'speaker', main: 'a', tiles: [], inset: 'me' });
  });

  it('hide self-view removes the inset', () => {
    expect(chooseLayout(input({ remoteIds: ['a'], selfHidden: true })).inset).toBeNull();
  });

  it('in grid view both are tiles of the same size', () => {
    const l = chooseLayout(input({ remoteIds: ['a'], mode: 'grid' }));
    expect(l).toMatchObject({ kind: 'grid', tiles: ['me', 'a'], inset: null, columns: 2 });
  });
});

describe('grid view', () => {
  it('shows everyone alike, in join order while the grid is roomy', () => {
    const l = chooseLayout(input({ mode: 'grid', activeSpeakerId: 'c' }));
    expect(l).toMatchObject({ kind: 'grid', main: null, tiles: ['me', 'a', 'b', 'c'], columns: 2, rows: 2 });
  });

  it('puts the pinned person first, ahead of a speaker in a crowded grid', () => {
    const remoteIds = ['a', 'b', 'c', 'd', 'e'];
    expect(chooseLayout(input({ mode: 'grid', remoteIds, activeSpeakerId: 'e' })).tiles).toEqual(['me', 'e', 'a', 'b', 'c', 'd']);
    expect(chooseLayout(input({ mode: 'grid', remoteIds, activeSpeakerId: 'e', pinnedId: 'c' })).tiles).toEqual(['me', 'c', 'a', 'b', 'd', 'e']);
  });

  it('alone in the room: our own tile, or nothing once self-view is hidden', () => {
    expect(chooseLayout(input({ remoteIds: [] })).tiles).toEqual(['me']);
    expect(chooseLayout(input({ remoteIds: [], selfHidden: true })).tiles).toEqual([]);
  });
});

describe('columns', () => {
  it('on a portrait phone stacks tiles instead of cutting tall slivers', () => {
    expect(bestColumns(2, PHONE)).toBe(1);
    expect(bestColumns(3, PHONE)).toBe(1);
    expect(bestColumns(4, PHONE)).toBe(1);
  });

  it('on a landscape desktop spreads tiles across', () => {
    expect(bestColumns(1, DESKTOP)).toBe(1);
    expect(bestColumns(2, DESKTOP)).toBe(2);
    expect(bestColumns(3, DESKTOP)).toBe(2);
    expect(bestColumns(4, DESKTOP)).toBe(2);
    expect(bestColumns(6, DESKTOP)).toBe(3);
    expect(bestColumns(9, DESKTOP)).toBe(3);
  });

  it('a shared screen on a phone: the people in a grid below it', () => {
    const l = chooseLayout(input({ presenting: true, remoteIds: ['a'], stage: PHONE }));
    expect(l).toMatchObject({ kind: 'screen', tiles: ['me', 'a'], inset: null });
  });

  it('a shared screen on a desktop: the people in one column beside it', () => {
    expect(chooseLayout(input({ presenting: true, stage: DESKTOP }))).toMatchObject({ kind: 'screen', columns: 1, rows: 4 });
  });
});

describe('grid tile size', () => {
  it('keeps tiles between 4:3 and 16:9 rather than stretching them to the cell', () => {
    // Two side by side in a 1240x620 stage: cells 614x620, tiles 4:3.
    expect(gridTileSize(2, 2, 1, DESKTOP)).toEqual({ width: 614, height: 460 });
    // One alone: 16:9, as wide as the height allows.
    expect(gridTileSize(1, 1, 1, DESKTOP)).toEqual({ width: 1102, height: 620 });
    // Two stacked on a phone: full width, 4:3.
    expect(gridTileSize(2, 1, 2, PHONE)).toEqual({ width: 366, height: 274 });
  });

  it('every tile of such a grid shows a 16:9 camera cropped, not letterboxed', () => {
    for (const [n, stage] of [
      [2, DESKTOP],
      [5, DESKTOP],
      [2, PHONE],
      [3, PHONE],
    ] as const) {
      const columns = bestColumns(n, stage);
      const tile = gridTileSize(n, columns, Math.ceil(n / columns), stage);
      expect(videoFit(tile, { width: 1280, height: 720 }), `${n} tiles in ${stage.width}x${stage.height}`).toBe('cover');
    }
  });
});

describe('video fit', () => {
  it('crops when the shapes are close', () => {
    expect(videoFit({ width: 160, height: 100 }, { width: 1280, height: 720 })).toBe('cover');
    expect(videoFit({ width: 400, height: 300 }, { width: 1280, height: 720 })).toBe('cover');
  });

  it('letterboxes a landscape camera in a portrait tile, and a portrait camera in a landscape tile', () => {
    expect(videoFit({ width: 180, height: 600 }, { width: 1280, height: 720 })).toBe('contain');
    expect(videoFit({ width: 1200, height: 600 }, { width: 720, height: 1280 })).toBe('contain');
  });

  it('crops until the video size is known', () => {
    expect(videoFit({ width: 180, height: 600 }, { width: 0, height: 0 })).toBe('cover');
  });
});

describe('the self-view inset', () => {
  const inset = { width: 160, height: 90 };
  const area = { width: 800, height: 500 };

  it('starts in the bottom-right corner', () => {
    expect(defaultInset(inset, area)).toEqual({ x: 800 - 160 - 12, y: 500 - 90 - 12 });
  });

  it("starts clear of the big tile's name bar when asked", () => {
    expect(defaultInset(inset, area, 40)).toEqual({ x: 800 - 160 - 12, y: 500 - 90 - 12 - 40 });
  });

  it('is small: about a quarter of the stage, within 112..240 px, shaped like our camera', () => {
    expect(insetSize({ width: 366, height: 640 }, 16 / 9)).toEqual({ width: 112, height: 63 });
    expect(insetSize({ width: 1240, height: 620 }, 16 / 9)).toEqual({ width: 240, height: 135 });
    expect(insetSize({ width: 800, height: 500 }, 16 / 9)).toEqual({ width: 196, height: 110 });
    expect(insetSize({ width: 366, height: 640 }, 9 / 16)).toEqual({ width: 63, height: 112 });
  });

  it('cannot be dragged off the stage', () => {
    expect(clampInset({ x: -50, y: 9000 }, inset, area)).toEqual({ x: 12, y: 500 - 90 - 12 });
    expect(clampInset({ x: 300, y: 200 }, inset, area)).toEqual({ x: 300, y: 200 });
  });
});
