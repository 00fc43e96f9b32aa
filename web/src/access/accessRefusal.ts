// Why the server would not let us in, in words a participant can act on. A browser cannot see
// the HTTP status of a refused WebSocket upgrade, so after a socket that never opened we ask
// GET /ice-servers with the same token: it applies the same check and answers 401 with a code
// (docs/protocol.md, "Access").
import { withToken } from './linkOptions';

export type AccessRefusalCode = 'token-missing' | 'token-invalid' | 'token-expired' | 'token-not-yet-valid' | 'forbidden-room';

const CODES: readonly string[] = ['token-missing', 'token-invalid', 'token-expired', 'token-not-yet-valid', 'forbidden-room'];

export function isAccessRefusalCode(v: unknown): v is AccessRefusalCode {
  return typeof v === 'string' && CODES.includes(v);
}

export type FetchLike = (url: string) => Promise<{ status: number; json(): Promise<unknown> }>;

/** The refusal code for `token`, or null when the server does not refuse it (or cannot be asked). */
export async function diagnoseRefusal(fetchFn: FetchLike, token: string | null): Promise<AccessRefusalCode | null> {
  try {
    const response = await fetchFn(withToken('/ice-servers', token));
    if (response.status !== 401) return null;
    const body = await response.json();
    const code = typeof body === 'object' && body !== null && 'code' in body ? body.code : undefined;
    return isAccessRefusalCode(code) ? code : 'token-invalid';
  } catch {
    return null; // server unreachable: the ordinary reconnect path reports that
  }
}

export function refusalMessage(code: AccessRefusalCode, roomId: string): { title: string; detail: string } {
  switch (code) {
    case 'token-expired':
      return { title: 'This invitation link has expired.', detail: 'Ask the person who invited you for a new link.' };
    case 'token-not-yet-valid':
      return { title: 'This invitation link is not valid yet.', detail: 'Try again at the meeting time, or check that your computer’s clock is right.' };
    case 'token-missing':
      return { title: 'This server needs an invitation link.', detail: 'Open the full link you were sent (it ends in ?token=…).' };
    case 'forbidden-room':
      return { title: `Your link doesn’t give access to room “${roomId}”.`, detail: 'It was made for a different meeting. Ask for a link to this one.' };
    case 'token-invalid':
      return { title: 'This invitation link isn’t valid.', detail: 'It may be incomplete or made for another server. Ask for a new link.' };
  }
}
