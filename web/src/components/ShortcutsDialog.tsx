// "?" in the call: the keyboard shortcuts.
import { CloseIcon } from './icons';
import { useDialog } from './useDialog';

export const SHORTCUTS: [key: string, what: string][] = [
  ['M', 'Mute or unmute the microphone'],
  ['V', 'Turn the camera off or on'],
  ['H', 'Raise or lower your hand'],
  ['?', 'Show these shortcuts'],
  ['Esc', 'Close a dialog or panel'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const ref = useDialog<HTMLDivElement>(onClose);
  return (
    <div className="fixed inset-0 z-40 grid place-items-center bg-black/60 p-4 backdrop-blur-sm" onClick={onClose}>
      <div ref={ref} data-testid="shortcuts-dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" className="w-full max-w-sm rounded-2xl bg-slate-900 p-6 shadow-2xl ring-1 ring-white/10" onClick={(e) => e.stopPropagation()}>
        <div className="mb-4 flex items-center justify-between">
          <h2 id="shortcuts-title" className="text-lg font-semibold text-white">Keyboard shortcuts</h2>
          <button type="button" data-testid="close-shortcuts" onClick={onClose} className="rounded-lg p-1 text-slate-400 hover:bg-white/5 hover:text-white" aria-label="Close">
            <CloseIcon className="h-5 w-5" />
          </button>
        </div>
        <dl className="space-y-2 text-sm">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key} className="flex items-center justify-between gap-4">
              <dt className="text-slate-300">{what}</dt>
              <dd>
                <kbd className="rounded bg-white/10 px-2 py-0.5 font-mono text-slate-100">{key}</kbd>
              </dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
