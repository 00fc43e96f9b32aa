// Alone in the room: say so, and hand over the invite link with a Copy button.
import { useState } from 'react';
import { copyInviteLink, currentInviteLink } from '../access/copyInvite';
import { CheckIcon, LinkIcon } from './icons';

export function AloneCard({ roomId, onTokenWithheld }: { roomId: string; onTokenWithheld: () => void }) {
  const [copied, setCopied] = useState(false);
  const { link } = currentInviteLink(roomId);
  const copy = async () => {
    const { personalTokenWithheld } = await copyInviteLink(roomId);
    setCopied(true);
    setTimeout(() => setCopied(false), 3000);
    if (personalTokenWithheld) onTokenWithheld();
  };
  return (
    <section data-testid="alone-card" aria-labelledby="alone-title" className="pointer-events-auto w-full max-w-sm rounded-2xl bg-slate-900/95 p-4 shadow-2xl ring-1 ring-white/10 backdrop-blur">
      <h2 id="alone-title" className="text-sm font-semibold text-white">You’re the only one here</h2>
      <p className="mt-1 text-xs text-slate-300">Share this link with the people you want in the call.</p>
      <div className="mt-3 flex items-center gap-2">
        <input readOnly value={link} aria-label="Invite link" data-testid="alone-link" onFocus={(e) => e.currentTarget.select()} className="min-w-0 flex-1 truncate rounded-lg bg-slate-800 px-2.5 py-2 font-mono text-xs text-slate-200 outline-none focus:ring-2 focus:ring-indigo-400" />
        <button type="button" data-testid="alone-copy" onClick={() => void copy()} className="inline-flex min-h-11 shrink-0 items-center gap-1.5 rounded-lg bg-indigo-500 px-3 text-sm font-semibold text-white hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-300">
          {copied ? <CheckIcon className="h-4 w-4" /> : <LinkIcon className="h-4 w-4" />}
          Copy
        </button>
      </div>
      <p data-testid="alone-copied" role="status" className={`mt-2 text-xs font-medium text-emerald-300 ${copied ? '' : 'invisible'}`}>
        {copied ? 'Link copied' : ''}
      </p>
    </section>
  );
}
