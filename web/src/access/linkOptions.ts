// What a room link may carry besides the room: `?token=` (a room token, when the server guards
// /ws with JWT_SECRET) and `?relay=1` (use TURN relays only: hides this browser's addresses,
// and proves the relay works).
export interface LinkOptions {
  token: string | null;
  forceRelay: boolean;
}

export function readLinkOptions(search: string): LinkOptions {
  const params = new URLSearchParams(search);
  const token = params.get('token');
  const relay = params.get('relay');
  return { token: token ? token : null, forceRelay: relay === '1' || relay === 'true' };
}

/** `url` with `?token=` (or `&token=`) appended when there is a token. */
export function withToken(url: string, token: string | null): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
