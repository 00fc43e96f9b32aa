// Who is in the call: name, microphone and camera, raised hand and connection quality; raised
// hands first, in the order they went up (room/awareness).
import type { ParticipantRow } from '../room/awareness';
import { SHEET, SIDE_PANEL } from './ChatPanel';
import { LEVEL_LABEL, QualityDot } from './QualityDot';
import { CamIcon, CamOffIcon, CloseIcon, HandIcon, MicIcon, MicOffIcon } from './icons';
import { useDialog } from './useDialog';

export function ParticipantsPanel({ rows, onClose, sheet = false }: { rows: ParticipantRow[]; onClose: () => void; sheet?: boolean }) {
  // A side panel keeps Tab free to leave it; a full-screen sheet is a dialog.
  const ref = useDialog<HTMLElement>(onClose, { trap: sheet });
  const hands = rows.filter((r) => r.hand).length;
  return (
    <aside ref={ref} data-testid="participants-panel" data-sheet={sheet ? 'true' : 'false'} aria-labelledby="participants-title" role={sheet ? 'dialog' : undefined} aria-modal={sheet ? true : undefined} className={sheet ? SHEET : SIDE_PANEL}>
      <header className="flex items-center justify-between border-b border-white/5 px-4 py-3">
        <h2 id="participants-title" className="text-sm font-semibold text-slate-100">
          People ({rows.length}){hands > 0 && <span className="ml-2 font-normal text-amber-200">{hands === 1 ? '1 hand raised' : `${hands} hands raised`}</span>}
        </h2>
        <button type="button" data-testid="close-participants" onClick={onClose} className={`rounded-lg text-slate-400 hover:bg-white/5 hover:text-white ${sheet ? 'p-2.5' : 'p-1'}`} aria-label="Close people list">
          <CloseIcon className={sheet ? 'h-5 w-5' : 'h-4 w-4'} />
        </button>
      </header>
      <ul className="flex-1 divide-y divide-white/5 overflow-y-auto" aria-label="People in the call">
        {rows.map((r) => {
          const said = [r.audio ? 'microphone on' : 'microphone off', r.video ? 'camera on' : 'camera off', ...(r.hand ? ['hand raised'] : []), ...(r.quality ? [`connection ${LEVEL_LABEL[r.quality].toLowerCase()}`] : [])].join(', ');
          return (
            <li key={r.id} data-testid="participant-row" data-peer={r.id} data-hand={r.hand ? 'true' : 'false'} className="flex min-h-12 items-center gap-3 px-4 py-2 text-sm text-slate-100">
              <span className="min-w-0 flex-1 truncate">
                <span data-testid="participant-name">{r.name}</span>
                {r.isLocal && <span className="text-slate-400"> (you)</span>}
                <span className="sr-only">: {said}</span>
              </span>
              <span aria-hidden="true" className="flex shrink-0 items-center gap-2 text-slate-300">
                {r.hand && <HandIcon data-testid="participant-hand" className="h-4 w-4 text-amber-300" />}
                {r.audio ? <MicIcon className="h-4 w-4" /> : <MicOffIcon data-testid="participant-muted" className="h-4 w-4 text-rose-300" />}
                {r.video ? <CamIcon className="h-4 w-4" /> : <CamOffIcon className="h-4 w-4 text-rose-300" />}
                {r.quality && <QualityDot level={r.quality} />}
              </span>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
