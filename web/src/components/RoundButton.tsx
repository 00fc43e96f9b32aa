import type { ReactNode } from 'react';

// Round toolbar button; `off` paints it red, the universal "this is muted" cue.
export function RoundButton({ onClick, label, children, off = false, danger = false, active = false, testid, shortcut, pressed }: {
  onClick: () => void;
  label: string;
  children: ReactNode;
  off?: boolean;
  danger?: boolean;
  active?: boolean;
  testid: string;
  shortcut?: string;
  pressed?: boolean;
}) {
  const tone = danger
    ? 'bg-rose-600 hover:bg-rose-500 text-white px-4 sm:px-6'
    : off
      ? 'bg-rose-700 hover:bg-rose-600 text-white' // white on rose-700: 6.4:1 (rose-500 was 3.75:1)
      : active
        ? 'bg-indigo-500 hover:bg-indigo-400 text-white'
        : 'bg-slate-700/70 hover:bg-slate-600 text-slate-100';
  return (
    <button
      type="button"
      data-testid={testid}
      onClick={onClick}
      aria-label={label}
      aria-pressed={pressed}
      title={shortcut ? `${label} (${shortcut})` : label}
      className={`grid h-12 min-w-12 place-items-center rounded-full transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 ${tone}`}
    >
      {children}
    </button>
  );
}
