// What the in-call "copy invite link" button copies. With JWT_SECRET the bare room link is refused,
// so the invite carries the token this page was opened with, but only a token for this one room
// that names nobody: a token with a `name` claim fixes the holder's display name (docs/protocol.md,
// "Access"), and whoever opened a shared one would appear under our name; a token whose `room` is
// `*` opens every room, more than an invitation to this one should give. We only read the claims, never verify them: the server
// does that, and a token we cannot read is treated as personal, since wrongly withholding costs
// the invitee a link while wrongly sharing lends them our identity.
import { withToken } from './linkOptions';
import { readClaims } from './tokenClaims';

export interface InviteLink {
  link: string;
  /** The page had a token but it names its holder, opens other rooms or could not be read, so it was left out. */
  personalTokenWithheld: boolean;
}

export function inviteLink(roomUrl: string, roomId: string, token: string | null): InviteLink {
  if (!token) return { link: roomUrl, personalTokenWithheld: false };
  if (!isShareableToken(token, roomId)) return { link: roomUrl, personalTokenWithheld: true };
  return { link: withToken(roomUrl, token), personalTokenWithheld: false };
}

/** True only for a readable token for `roomId` alone whose `name` claim is absent or blank. */
export function isShareableToken(token: string, roomId: string): boolean {
  const claims = readClaims(token);
  if (claims === null || claims.room !== roomId) return false;
  if (!('name' in claims)) return true;
  const name = claims.name;
  // The server trims spaces and falls back to the joining client's name when nothing is left; a
  // non-string name makes the server reject the token, so there is nothing worth sharing then.
  return typeof name === 'string' && /^ *$/.test(name);
}
