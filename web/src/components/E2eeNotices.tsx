// End-to-end encryption in the call (docs/architecture.md, "End-to-end encryption"): the header's
// indicator for a page that encrypts, the banner for one that joined an encrypted call without
// the key, and the words a tile shows instead of media that cannot be opened.
import type { E2eeProblem } from '../room/RoomSnapshot';
import { LockIcon } from './icons';

/** In the header: everyone whose link has the key sees that the call is end-to-end encrypted. */
export function E2eeIndicator({ encrypting }: { encrypting: boolean }) {
  if (!encrypting) return null;
  return (
    <span
      data-testid="e2ee-indicator"
      role="img"
      aria-label="End-to-end encrypted: only people with this link's key can see and hear the call"
      title="End-to-end encrypted: only people with this link's key can see and hear the call; the server forwards media it cannot read"
      className="inline-flex shrink-0 items-center gap-1 rounded-full bg-emerald-500/15 px-2 py-1 text-xs font-medium text-emerald-200 ring-1 ring-emerald-500/30"
    >
      <LockIcon className="h-3.5 w-3.5" />
      <span className="hidden sm:inline">End-to-end encrypted</span>
      <span className="sm:hidden">E2EE</span>
    </span>
  );
}

export const MISSING_KEY_TEXT = 'This call is end-to-end encrypted; your link has no key.';

/** Under the header, for a page without the key in a call whose members encrypt. */
export function E2eeMissingKeyBanner({ missingKey }: { missingKey: boolean }) {
  if (!missingKey) return null;
  return (
    <div data-testid="e2ee-missing-key" role="alert" className="mx-3 mb-3 flex items-start gap-3 rounded-xl bg-amber-500/10 px-4 py-2.5 text-sm text-amber-100 ring-1 ring-amber-500/30 sm:mx-5">
      <LockIcon className="mt-0.5 h-4 w-4 shrink-0" />
      <span>
        {MISSING_KEY_TEXT} You cannot see or hear the others, and they cannot see or hear you. Ask for the full invite link (it ends in <span className="font-mono">#e2ee=…</span>).
      </span>
    </div>
  );
}

/** What a remote tile says instead of media that cannot be opened. */
export function e2eeProblemText(problem: E2eeProblem, name: string): string {
  switch (problem) {
    case 'no-key':
      return 'This call is end-to-end encrypted; your link has no key.';
    case 'wrong-key':
      return 'This call is end-to-end encrypted; your link has a different key.';
    case 'not-encrypted':
      return `${name}’s link has no encryption key: what they send is not end-to-end encrypted, so it is not shown.`;
  }
}

export function E2eeTileNotice({ problem, name }: { problem: E2eeProblem; name: string }) {
  return (
    <div data-testid="tile-e2ee-problem" data-problem={problem} className="absolute inset-0 grid place-items-center bg-slate-900/95 p-3 text-center">
      <p className="flex max-w-xs items-start gap-2 text-xs text-amber-100 sm:text-sm">
        <LockIcon className="mt-0.5 h-4 w-4 shrink-0" />
        <span>{e2eeProblemText(problem, name)}</span>
      </p>
    </div>
  );
}
