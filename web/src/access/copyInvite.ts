// Copying the room's invite link (toolbar, the "only one here" card, the room code): the page's
// room token goes along (without it the invitee is refused), unless it names us or opens every
// room; ?relay=1 stays behind, it is this browser's choice. The end-to-end key (`#e2ee=`) goes
// along too, in the fragment: without it the invitee could neither see nor be seen.
import { readLinkKey, withLinkKey } from '../e2ee/roomKey';
import { roomLink } from '../router';
import { inviteLink } from './inviteLink';
import { readLinkOptions } from './linkOptions';

export function currentInviteLink(roomId: string): { link: string; personalTokenWithheld: boolean } {
  const token = readLinkOptions(window.location.search).token;
  const invite = inviteLink(roomLink(roomId), roomId, token);
  const key = readLinkKey(window.location.hash);
  return { ...invite, link: withLinkKey(invite.link, key.kind === 'key' ? key.key : null) };
}

/** Copies the link; where the clipboard is refused, shows it to copy by hand. */
export async function copyInviteLink(roomId: string): Promise<{ personalTokenWithheld: boolean }> {
  const { link, personalTokenWithheld } = currentInviteLink(roomId);
  try {
    await navigator.clipboard.writeText(link);
  } catch {
    window.prompt('Copy this invite link', link);
  }
  return { personalTokenWithheld };
}

export const TOKEN_WITHHELD_MESSAGE = 'Link copied without your token (it is yours alone): the person you invite needs their own invitation link.';
