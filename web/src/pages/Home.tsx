// `/`: start a new room or join one by id or pasted link.
import { useState } from 'react';
import { generateRoomId, parseRoomInput } from '../protocol/roomId';
import { generateRoomKey, withLinkKey } from '../e2ee/roomKey';
import { navigate } from '../router';
import { CamIcon, ChartIcon, LockIcon, Logo, UsersIcon } from '../components/icons';

export function Home() {
  const [input, setInput] = useState('');
  const [error, setError] = useState<string | null>(null);

  const join = () => {
    const id = parseRoomInput(input);
    if (!id) {
      setError('That doesn’t look like a room code or invite link. Codes use letters, digits, - and _ (3–64 characters).');
      return;
    }
    navigate(`/r/${encodeURIComponent(id)}`);
  };

  return (
    <div className="flex min-h-full flex-col">
      <header className="px-6 py-5 text-lg text-white">
        <Logo />
      </header>
      <main className="mx-auto flex w-full max-w-5xl flex-1 flex-col items-center justify-center px-6 pb-16 text-center">
        <span className="mb-5 rounded-full bg-indigo-500/10 px-3 py-1 text-xs font-medium text-indigo-300 ring-1 ring-indigo-500/30">Self-hosted · peer-to-peer · no account needed</span>
        <h1 className="max-w-3xl text-4xl font-semibold tracking-tight text-white sm:text-6xl">
          Video meetings that stay <span className="bg-gradient-to-r from-indigo-400 to-violet-400 bg-clip-text text-transparent">yours</span>.
        </h1>
        <p className="mt-5 max-w-xl text-lg text-slate-400">Start a room, share the link, talk. Audio and video go straight between browsers; the server only makes the introductions.</p>

        <div className="mt-10 flex w-full max-w-xl flex-col gap-3 sm:flex-row">
          <button
            type="button"
            data-testid="create-room"
            onClick={() => navigate(`/r/${generateRoomId()}`)}
            className="inline-flex items-center justify-center gap-2 rounded-xl bg-indigo-500 px-5 py-3 font-semibold text-white shadow-lg shadow-indigo-500/25 transition hover:bg-indigo-400"
          >
            <CamIcon className="h-5 w-5" /> New meeting
          </button>
          <form className="flex flex-1 gap-2" onSubmit={(e) => { e.preventDefault(); join(); }}>
            <input
              data-testid="join-input"
              value={input}
              onChange={(e) => { setInput(e.target.value); setError(null); }}
              placeholder="Enter a code or paste a link"
              aria-label="Room code or invite link"
              className="min-w-0 flex-1 rounded-xl border border-white/10 bg-slate-900/80 px-4 py-3 text-white placeholder-slate-400 outline-none transition focus:border-indigo-400 focus:ring-2 focus:ring-indigo-400/30"
            />
            <button type="submit" data-testid="join-button" disabled={!input.trim()} className="rounded-xl px-4 py-3 font-semibold text-indigo-300 transition hover:bg-white/5 disabled:text-slate-600">
              Join
            </button>
          </form>
        </div>
        <button
          type="button"
          data-testid="create-encrypted-room"
          onClick={() => navigate(withLinkKey(`/r/${generateRoomId()}`, generateRoomKey()))}
          className="mt-4 inline-flex items-center gap-2 rounded-xl px-4 py-2 text-sm font-semibold text-emerald-300 ring-1 ring-emerald-500/30 transition hover:bg-emerald-500/10"
        >
          <LockIcon className="h-4 w-4" /> New end-to-end encrypted meeting
        </button>
        <p className="mt-2 max-w-xl text-xs text-slate-400">The key travels in the link (after #), which browsers never send to the server: only people you give the link can see and hear the call.</p>
        {error && <p data-testid="home-error" className="mt-3 text-sm text-rose-300">{error}</p>}

        <div className="mt-20 grid w-full gap-4 text-left sm:grid-cols-3">
          <Feature icon={<UsersIcon className="h-5 w-5" />} title="Up to 8 people" text="A responsive grid that keeps everyone visible." />
          <Feature icon={<ChartIcon className="h-5 w-5" />} title="See your connection" text="Bitrate, latency and loss per participant, live." />
          <Feature icon={<CamIcon className="h-5 w-5" />} title="Switch devices live" text="Change camera or mic mid-call without dropping." />
        </div>
      </main>
    </div>
  );
}

function Feature({ icon, title, text }: { icon: React.ReactNode; title: string; text: string }) {
  return (
    <div className="rounded-2xl bg-white/[0.03] p-5 ring-1 ring-white/10">
      <div className="mb-3 grid h-9 w-9 place-items-center rounded-lg bg-indigo-500/15 text-indigo-300">{icon}</div>
      <h2 className="font-medium text-white">{title}</h2>
      <p className="mt-1 text-sm text-slate-400">{text}</p>
    </div>
  );
}
