// Device settings during the call, as a modal dialog (focus kept inside, Esc closes it).
import type { LocalMedia, LocalMediaSnapshot } from '../rtc/media';
import { DevicePickers } from './DevicePickers';
import { CloseIcon } from './icons';
import { useDialog } from './useDialog';

export function SettingsDialog({ media, local, onError, onClose }: { media: LocalMedia; local: LocalMediaSnapshot; onError: (message: string) => void; onClose: () => void }) {
  const ref = useDialog<HTMLDivElement>(onClose);
  return (
    <div className="fixed inset-0 z-40 grid place-items-center bg-black/60 p-4 backdrop-blur-sm" onClick={onClose}>
      <div ref={ref} data-testid="settings-dialog" role="dialog" aria-modal="true" aria-labelledby="settings-title" className="w-full max-w-md rounded-2xl bg-slate-900 p-6 shadow-2xl ring-1 ring-white/10" onClick={(e) => e.stopPropagation()}>
        <div className="mb-5 flex items-center justify-between">
          <h2 id="settings-title" className="text-lg font-semibold text-white">Device settings</h2>
          <button type="button" data-testid="close-settings" onClick={onClose} className="rounded-lg p-1 text-slate-400 hover:bg-white/5 hover:text-white" aria-label="Close">
            <CloseIcon className="h-5 w-5" />
          </button>
        </div>
        <DevicePickers media={media} snap={local} onError={onError} />
        <p className="mt-4 text-xs text-slate-400">Switching devices keeps your call connected.</p>
      </div>
    </div>
  );
}
