// `window.__pulsemeet` for the browser tests, present only with `?test=1` in the URL (or a build
// with VITE_TEST_HOOK=1). Tests assert on real objects instead of scraping the DOM.
import type { Room, RosterEvent } from './room/Room';
import type { TraceEntry } from './transport/MoveTrace';
import type { SignalingClient } from './signaling/SignalingClient';
import type { CryptoCost } from './e2ee/protocol';

export interface TestHook {
  peerId(): string | null;
  /** Remote id -> the RTCPeerConnection that carries its media to the tiles (on the media server: the one connection). */
  peerConnections(): Record<string, unknown>;
  /** On the media server: remote id -> the mids of the one connection that carry its tracks (per-sender stats); the mesh: none. */
  receivedMids(): Record<string, string[]>;
  /** Which transport feeds the tiles: 'mesh' or 'sfu' (the media server). */
  mediaTransport(): string;
  /**
   * Every RTCPeerConnection this page has, each once (during a move between mesh and media
   * server, both transports'): a test reads their stats to see where our video goes.
   */
  outboundConnections(): unknown[];
  socketState(): string;
  phase(): string;
  /** Joins and leaves the page has shown, in order. */
  roster(): readonly RosterEvent[];
  /** How many times fresh TURN credentials were fetched and applied to the connections. */
  iceRefreshes(): number;
  /** End-to-end encryption: frames sealed, opened and dropped, the time it took, and each receiving slot's frames (null: no frame worker). */
  e2eeCost(): Promise<CryptoCost | null>;
  /** Joining and moves between mesh and media server, step by step with performance.now() times. */
  trace(): readonly TraceEntry[];
}

export function testHookEnabled(): boolean {
  return new URLSearchParams(window.location.search).get('test') === '1' || import.meta.env.VITE_TEST_HOOK === '1';
}

export function installTestHook(room: Room | null, signaling: SignalingClient | null): void {
  if (!testHookEnabled()) return;
  const hook: TestHook = {
    peerId: () => room?.snapshot.localId ?? null,
    peerConnections: () => Object.fromEntries(room ? room.peerConnections() : []),
    receivedMids: () => Object.fromEntries(room ? room.receivedMids() : []),
    mediaTransport: () => room?.mediaTransport ?? 'mesh',
    outboundConnections: () => room?.outboundConnections() ?? [],
    socketState: () => signaling?.state ?? 'idle',
    phase: () => room?.snapshot.phase ?? 'idle',
    roster: () => room?.rosterLog() ?? [],
    iceRefreshes: () => room?.credentialRefreshCount ?? 0,
    e2eeCost: () => room?.e2eeCost() ?? Promise.resolve(null),
    trace: () => room?.traceLog() ?? [],
  };
  (window as unknown as { __pulsemeet: TestHook }).__pulsemeet = hook;
}
