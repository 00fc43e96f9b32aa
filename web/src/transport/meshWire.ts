// What a mesh connection's data channel carries besides chat (docs/protocol.md, "The mesh's data
// channel"): `{"type":"moved"}`, sent once our tiles read the media server instead of the mesh.

/** Our tiles no longer read this connection: the peer may close it once its tiles do not either. */
export const MOVED_WIRE = JSON.stringify({ type: 'moved' });

/** True for a `moved` message (anything else, well-formed or not, is not one). */
export function isMovedWire(data: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return false;
  }
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>).type === 'moved';
}
