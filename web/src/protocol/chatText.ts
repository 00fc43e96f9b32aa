// The text of a chat message, wherever it arrives from (a data channel in the mesh, the WebSocket
// on the media server): plain text, never rendered as HTML, cut to the length the server allows.

/** The longest chat message, in UTF-16 code units; the server refuses longer ones (docs/protocol.md). */
export const MAX_CHAT_LENGTH = 2_000;

/** `v` as chat text (cut to MAX_CHAT_LENGTH), or null when it is not a string or only blanks. */
export function chatText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const text = v.slice(0, MAX_CHAT_LENGTH);
  return text.trim() ? text : null;
}
