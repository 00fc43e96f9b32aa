// Which tiles go where in the call view: pure functions of who is in the call, who speaks, who is
// pinned, the chosen view and the stage's size, so the rules are tested without a browser.
//
// - Speaker view: one person large (the pinned one, else the active speaker, else whoever was
//   large before, else the first to join) and everyone else in a strip beside or below.
// - Grid view: everyone alike, in as many columns as make the pictures largest.
// - A 1:1 call in speaker view: the other person fills the stage and our own picture is a small
//   inset on top that can be moved; "hide self-view" drops our own tile in every view.
// - A shared screen keeps its own arrangement (screen large, people beside or below).

import { orderRemotes } from '../room/ActiveSpeaker';

export type ViewMode = 'speaker' | 'grid';

export interface Size {
  width: number;
  height: number;
}

export interface LayoutInput {
  localId: string;
  /** Remote participants in the order they joined. */
  remoteIds: readonly string[];
  activeSpeakerId: string | null;
  pinnedId: string | null;
  mode: ViewMode;
  selfHidden: boolean;
  presenting: boolean;
  /** The area the tiles share. */
  stage: Size;
  /** Who spoke last: stays large while nobody speaks, so the big tile does not jump back. */
  lastSpeakerId?: string | null;
}

export interface Layout {
  kind: 'grid' | 'speaker' | 'screen';
  /** Speaker view: the large tile. */
  main: string | null;
  /** Grid: every tile; speaker view: the strip; screen: the people beside the screen. */
  tiles: string[];
  /** Grid and screen: columns and rows of `tiles`. */
  columns: number;
  rows: number;
  /** Speaker view: the strip is beside the main tile on landscape stages, below it otherwise. */
  stripSide: 'right' | 'bottom';
  /** 1:1 in speaker view: our own tile, small and movable over the other person's. */
  inset: string | null;
}

/** Gap between tiles, in CSS pixels (Tailwind's gap-3). */
export const TILE_GAP = 12;
/** Cameras send landscape 16:9 unless they are a phone held upright. */
const CAMERA_ASPECT = 16 / 9;

/**
 * Columns for `n` tiles in `stage` that make each 16:9 picture, shown whole, largest. On a
 * portrait phone this stacks tiles one above the other rather than cutting tall slivers out of
 * landscape video.
 */
export function bestColumns(n: number, stage: Size, gap = TILE_GAP, aspect = CAMERA_ASPECT): number {
  if (n <= 1 || stage.width <= 0 || stage.height <= 0) return 1;
  let best = 1;
  let bestArea = -1;
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const w = (stage.width - (columns - 1) * gap) / columns;
    const h = (stage.height - (rows - 1) * gap) / rows;
    if (w <= 0 || h <= 0) continue;
    const pictureW = Math.min(w, h * aspect);
    const area = pictureW * (pictureW / aspect);
    // Strictly larger: on a tie the fewer columns (wider tiles) win.
    if (area > bestArea + 1e-6) {
      best = columns;
      bestArea = area;
    }
  }
  return best;
}

/**
 * A grid tile's size in its cell: no wider than 16:9 and no taller than 4:3, so a camera's
 * picture fills it (cropped a little at most) instead of floating between wide bars; the spare
 * room goes around the tiles.
 */
export function gridTileSize(n: number, columns: number, rows: number, stage: Size, gap = TILE_GAP): Size {
  if (n === 0) return { width: 0, height: 0 };
  const cellW = Math.max(0, (stage.width - (columns - 1) * gap) / columns);
  const cellH = Math.max(0, (stage.height - (rows - 1) * gap) / rows);
  return { width: Math.floor(Math.min(cellW, cellH * CAMERA_ASPECT)), height: Math.floor(Math.min(cellH, (cellW * 3) / 4)) };
}

/** A grid tile is never smaller than this (CSS px): beyond what fits at this size the grid pages. */
export const MIN_GRID_TILE: Size = { width: 144, height: 81 };
/** Tiles on one grid page at most, however large the screen (the media server's last-N default). */
export const MAX_GRID_PAGE = 16;

/**
 * How many grid tiles fit on one page of `stage`: the most (up to MAX_GRID_PAGE) whose tiles stay
 * at least MIN_GRID_TILE in the best arrangement; at least 1.
 */
export function gridPageSize(stage: Size, minTile: Size = MIN_GRID_TILE, max = MAX_GRID_PAGE): number {
  let fits = 1;
  for (let n = 2; n <= max; n++) {
    const columns = bestColumns(n, stage);
    const tile = gridTileSize(n, columns, Math.ceil(n / columns), stage);
    if (tile.width >= minTile.width && tile.height >= minTile.height) fits = n;
  }
  return fits;
}

export interface GridPage<T> {
  /** The tiles on this page. */
  items: T[];
  /** This page (0-based, clamped to the pages there are) and how many there are. */
  page: number;
  pages: number;
}

/** Page `page` of `items`, `perPage` at a time; a page past the end shows the last one. */
export function gridPage<T>(items: readonly T[], page: number, perPage: number): GridPage<T> {
  const size = Math.max(1, Math.floor(perPage));
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(current * size, current * size + size), page: current, pages };
}

/** The pinned person first; else, once crowded, the active speaker first (orderRemotes). */
function orderedRemotes(remoteIds: readonly string[], pinned: string | null, speaker: string | null): string[] {
  if (pinned === null) return orderRemotes(remoteIds.map((id) => ({ id })), speaker).map((r) => r.id);
  return [pinned, ...remoteIds.filter((id) => id !== pinned)];
}

export function chooseLayout(input: LayoutInput): Layout {
  const { localId, remoteIds, mode, selfHidden, stage } = input;
  const present = (id: string | null | undefined): id is string => id != null && remoteIds.includes(id);
  const pinned = present(input.pinnedId) ? input.pinnedId : null;
  const speaker = present(input.activeSpeakerId) ? input.activeSpeakerId : null;
  const self = selfHidden ? [] : [localId];
  const stripSide = stage.width > stage.height * 1.2 ? 'right' : 'bottom';
  const grid = (kind: 'grid' | 'screen', tiles: string[], screenStage: Size = stage): Layout => {
    const columns = bestColumns(tiles.length, screenStage);
    return { kind, main: null, tiles, columns, rows: Math.max(1, Math.ceil(tiles.length / columns)), stripSide, inset: null };
  };

  if (input.presenting) {
    const tiles = [...self, ...orderedRemotes(remoteIds, pinned, speaker)];
    // Wide screens: the people are one column beside the screen; phones: a grid below it.
    const beside = stage.width > stage.height;
    return beside ? { ...grid('screen', tiles), columns: 1, rows: tiles.length } : grid('screen', tiles, { width: stage.width, height: stage.height * 0.4 });
  }
  if (mode === 'grid' || remoteIds.length === 0) return grid('grid', [...self, ...orderedRemotes(remoteIds, pinned, speaker)]);

  const main = pinned ?? speaker ?? (present(input.lastSpeakerId) ? input.lastSpeakerId : remoteIds[0]!);
  if (remoteIds.length === 1) return { kind: 'speaker', main, tiles: [], columns: 1, rows: 1, stripSide, inset: selfHidden ? null : localId };
  return { kind: 'speaker', main, tiles: [...self, ...remoteIds.filter((id) => id !== main)], columns: 1, rows: 1, stripSide, inset: null };
}

/**
 * How a video fills its tile: cropped to cover when the shapes are close (a 16:9 picture in a
 * 16:10 tile), letterboxed to show it whole when they differ a lot (a landscape camera in a
 * portrait tile, or a phone held upright in a landscape tile).
 */
export function videoFit(tile: Size, video: Size, tolerance = 1.35): 'cover' | 'contain' {
  if (tile.width <= 0 || tile.height <= 0 || video.width <= 0 || video.height <= 0) return 'cover';
  const tileAspect = tile.width / tile.height;
  const videoAspect = video.width / video.height;
  const ratio = tileAspect > videoAspect ? tileAspect / videoAspect : videoAspect / tileAspect;
  return ratio > tolerance ? 'contain' : 'cover';
}

export interface Point {
  x: number;
  y: number;
}

/** Margin between the self-view inset and the stage's edges. */
export const INSET_MARGIN = 12;

/** Keeps the inset (its top-left corner at `at`) wholly inside `area`, `margin` from the edges. */
export function clampInset(at: Point, inset: Size, area: Size, margin = INSET_MARGIN): Point {
  const maxX = Math.max(margin, area.width - inset.width - margin);
  const maxY = Math.max(margin, area.height - inset.height - margin);
  return { x: Math.min(maxX, Math.max(margin, at.x)), y: Math.min(maxY, Math.max(margin, at.y)) };
}

/**
 * Where the inset starts: the bottom-right corner, like every other call app, above the big
 * tile's name bar (`bottomClear`) so the other person's name and mute mark stay visible.
 */
export function defaultInset(inset: Size, area: Size, bottomClear = 0, margin = INSET_MARGIN): Point {
  return clampInset({ x: area.width - inset.width - margin, y: area.height - inset.height - margin - bottomClear }, inset, area, margin);
}

/**
 * The self-view inset's size for our camera's shape (`aspect`, width / height) in `area`: about a
 * quarter of the stage's width for a landscape camera (at least 112 px, at most 240 px), and as
 * tall for a camera held upright.
 */
export function insetSize(area: Size, aspect: number): Size {
  const long = Math.round(Math.min(240, Math.max(112, Math.min(area.width, area.height * 1.4) * 0.28)));
  return aspect >= 1 ? { width: long, height: Math.round(long / aspect) } : { width: Math.round(long * aspect), height: long };
}
