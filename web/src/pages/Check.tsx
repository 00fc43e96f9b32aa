// `/check`: the pre-call check. In about ten seconds it says whether the camera and microphone
// work, whether the media server is reachable over UDP and TCP, whether STUN and the TURN relay
// work, and what to do about each failure; "Copy report" gives an administrator the details.
import { useEffect, useState } from 'react';
import { readLinkOptions } from '../access/linkOptions';
import { runChecks, type CheckRun } from '../check/runChecks';
import { overall, reportText, verdicts, type Verdict, type VerdictLevel } from '../check/verdicts';
import { Logo } from '../components/icons';
import { navigate } from '../router';

const levelStyle: Record<VerdictLevel, { badge: string; text: string; ring: string }> = {
  ok: { badge: 'bg-emerald-500/15 text-emerald-300', text: 'Works', ring: 'ring-emerald-500/30' },
  warn: { badge: 'bg-amber-500/15 text-amber-200', text: 'Works, with a caveat', ring: 'ring-amber-500/30' },
  fail: { badge: 'bg-rose-500/15 text-rose-200', text: 'Problem', ring: 'ring-rose-500/40' },
  info: { badge: 'bg-slate-500/20 text-slate-200', text: 'Not checked', ring: 'ring-white/10' },
};

function VerdictRow({ v }: { v: Verdict }) {
  const style = levelStyle[v.level];
  return (
    <li data-testid={`check-${v.id}`} data-level={v.level} className={`rounded-2xl bg-slate-900/70 p-4 ring-1 ${style.ring}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold text-white">{v.label}</h2>
        <span className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${style.badge}`}>{style.text}</span>
      </div>
      <p className="mt-1 text-sm text-slate-200">{v.summary}</p>
      {v.advice && <p className="mt-1 text-sm text-slate-300">{v.advice}</p>}
    </li>
  );
}

export function Check() {
  const [run, setRun] = useState<CheckRun | null>(null);
  const [running, setRunning] = useState(true);
  const [copied, setCopied] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    runChecks(readLinkOptions(window.location.search).token)
      .then((result) => {
        if (current) setRun(result);
      })
      .catch((err: unknown) => console.warn('pulsemeet: check failed', err))
      .finally(() => {
        if (current) setRunning(false);
      });
    return () => {
      current = false;
    };
  }, [attempt]);
  const start = () => {
    setRunning(true);
    setRun(null);
    setCopied(false);
    setAttempt((n) => n + 1);
  };

  const list = run ? verdicts(run.facts) : [];
  const summary = run ? overall(list) : null;
  const copy = () => {
    if (!run) return;
    const text = reportText(list, run.details, new Date());
    void navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <div className="flex min-h-full flex-col">
      <header className="px-6 py-5 text-lg text-white">
        <button type="button" onClick={() => navigate('/')} aria-label="PulseMeet start page" className="rounded-md focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400">
          <Logo />
        </button>
      </header>
      <main className="mx-auto w-full max-w-2xl flex-1 px-4 pb-16 sm:px-6">
        <h1 className="text-2xl font-semibold text-white sm:text-3xl">Test your connection</h1>
        <p className="mt-1 text-sm text-slate-300">We check your camera, microphone and network the way a call would use them. It takes about ten seconds.</p>
        <div aria-live="polite" className="mt-6">
          {running && (
            <p data-testid="check-running" className="rounded-2xl bg-slate-900/70 p-4 text-sm text-slate-200 ring-1 ring-white/10">
              Checking… (camera, microphone, media server over UDP and TCP, STUN, TURN)
            </p>
          )}
          {summary && (
            <p data-testid="check-overall" data-level={summary.level} className={`rounded-2xl p-4 text-base font-medium ring-1 ${levelStyle[summary.level].badge} ${levelStyle[summary.level].ring}`}>
              {summary.text}
            </p>
          )}
        </div>
        {run && (
          <ul className="mt-4 space-y-3" data-testid="check-results">
            {list.map((v) => (
              <VerdictRow key={v.id} v={v} />
            ))}
          </ul>
        )}
        <div className="mt-6 flex flex-wrap gap-3">
          <button type="button" data-testid="check-again" disabled={running} onClick={start} className="min-h-11 rounded-xl bg-indigo-500 px-4 py-2.5 text-sm font-semibold text-white transition hover:bg-indigo-400 disabled:cursor-not-allowed disabled:opacity-60">
            {running ? 'Checking…' : 'Check again'}
          </button>
          <button type="button" data-testid="check-copy" disabled={!run} onClick={copy} className="min-h-11 rounded-xl bg-slate-800 px-4 py-2.5 text-sm font-semibold text-white ring-1 ring-white/10 transition hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-60">
            Copy report
          </button>
          <span aria-live="polite" className="self-center text-sm text-emerald-300">{copied ? 'Report copied.' : ''}</span>
        </div>
      </main>
    </div>
  );
}
