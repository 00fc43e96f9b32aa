// The lobby's look into a room (docs/protocol.md, "Room preview"): a short-lived WebSocket,
// opened with the same token as the call's, that asks `preview` and closes on the answer.

/** What we need of a WebSocket. */
export interface PreviewSocket {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: (() => void) | null;
  onclose: (() => void) | null;
  send(text: string): void;
  close(code?: number): void;
}

/** The names in a `room-preview` for `roomId`, or null when the text is not one. */
export function parseRoomPreview(text: unknown, roomId: string): string[] | null {
  if (typeof text !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const m = v as { type?: unknown; roomId?: unknown; data?: { names?: unknown } };
  if (m.type !== 'room-preview' || m.roomId !== roomId) return null;
  const names = m.data?.names;
  if (!Array.isArray(names)) return null;
  return names.filter((n): n is string => typeof n === 'string').map((n) => n.slice(0, 64));
}

/**
 * Who is in `roomId` now, or null when the server could not say (unreachable, refused, too
 * slow): the lobby then shows nothing rather than a guess.
 */
export function requestRoomPreview(open: () => PreviewSocket, roomId: string, timeoutMs = 5000): Promise<string[] | null> {
  return new Promise((resolve) => {
    let socket: PreviewSocket;
    try {
      socket = open();
    } catch {
      resolve(null);
      return;
    }
    let done = false;
    const finish = (names: string[] | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      socket.close(1000);
      resolve(names);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'preview', roomId }));
    socket.onmessage = (e) => {
      const names = parseRoomPreview(e.data, roomId);
      if (names !== null) finish(names);
      else if (typeof e.data === 'string' && e.data.includes('"error"')) finish(null);
    };
    socket.onerror = () => finish(null);
    socket.onclose = () => finish(null);
  });
}

/** "Ada is here", "Ada and Bob are here", "Ada, Bob and 3 others are here". */
export function previewSentence(names: readonly string[]): string {
  if (names.length === 0) return 'Nobody is here yet';
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  if (sorted.length === 1) return `${sorted[0]} is here`;
  if (sorted.length === 2) return `${sorted[0]} and ${sorted[1]} are here`;
  if (sorted.length === 3) return `${sorted[0]}, ${sorted[1]} and ${sorted[2]} are here`;
  return `${sorted[0]}, ${sorted[1]} and ${sorted.length - 2} others are here`;
}

/** A browser WebSocket behind the PreviewSocket shape. */
export function browserPreviewSocket(url: string): PreviewSocket {
  const ws = new WebSocket(url);
  const socket: PreviewSocket = {
    onopen: null,
    onmessage: null,
    onerror: null,
    onclose: null,
    send: (text) => ws.send(text),
    close: (code) => ws.close(code),
  };
  ws.onopen = () => socket.onopen?.();
  ws.onmessage = (e: MessageEvent) => socket.onmessage?.({ data: e.data });
  ws.onerror = () => socket.onerror?.();
  ws.onclose = () => socket.onclose?.();
  return socket;
}
