// The toolbar's overflow on narrow screens: everything but Mute, Camera, Chat and Leave, as a list
// of full-width rows (44 px tall, a comfortable tap) above the toolbar. Items keep the test ids
// of their toolbar buttons, so a test finds "toggle-hand" in either place.
import { useEffect, useState, type ReactNode } from 'react';
import { MoreIcon } from './icons';

export interface ToolbarAction {
  testid: string;
  label: string;
  icon: ReactNode;
  onClick: () => void;
  /** Lit (indigo) in the toolbar: a mode that is on (presenting, hand raised, panel open). */
  active?: boolean;
  /** Red in the toolbar: recording. */
  off?: boolean;
  /** For aria-pressed: the action is a toggle and this is its state. */
  pressed?: boolean;
  shortcut?: string;
}

export function MoreMenu({ actions }: { actions: ToolbarAction[] }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  const anyOn = actions.some((a) => a.active === true || a.off === true);
  return (
    <>
      <button
        type="button"
        data-testid="more-menu"
        aria-label="More options"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        className={`relative grid h-12 min-w-12 place-items-center rounded-full transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 ${open ? 'z-40 bg-indigo-500 text-white' : 'bg-slate-700/70 text-slate-100 hover:bg-slate-600'}`}
      >
        <MoreIcon className="h-5 w-5" />
        {anyOn && !open && <span className="pointer-events-none absolute right-1 top-1 h-2.5 w-2.5 rounded-full bg-indigo-400 ring-2 ring-slate-950" />}
      </button>
      {open && (
        <>
          {/* A tap anywhere else closes the menu. */}
          <div className="fixed inset-0 z-30" onClick={() => setOpen(false)} />
          <div data-testid="more-menu-list" role="menu" aria-label="More options" className="absolute inset-x-3 bottom-full z-40 mb-2 overflow-hidden rounded-2xl bg-slate-800 py-1 shadow-2xl ring-1 ring-white/10">
            {actions.map((a) => (
              <button
                key={a.testid}
                type="button"
                role="menuitem"
                data-testid={a.testid}
                aria-pressed={a.pressed}
                onClick={() => {
                  setOpen(false);
                  a.onClick();
                }}
                className="flex min-h-11 w-full items-center gap-3 px-4 py-2.5 text-left text-sm text-slate-100 hover:bg-white/5 focus:outline-none focus-visible:bg-white/10"
              >
                <span className={`grid h-8 w-8 shrink-0 place-items-center rounded-full ${a.off ? 'bg-rose-500/90 text-white' : a.active ? 'bg-indigo-500 text-white' : 'bg-slate-700/70'}`}>{a.icon}</span>
                {a.label}
              </button>
            ))}
          </div>
        </>
      )}
    </>
  );
}
