// Per-remote-peer connection quality: the numbers, the verdict, and a one-minute trend.
import type { RemoteView } from '../room/Room';
import { formatBitrate } from '../rtc/stats';
import { SHEET, SIDE_PANEL } from './ChatPanel';
import { CloseIcon } from './icons';
import { LEVEL_LABEL, QualityDot } from './QualityDot';
import { Sparkline } from './Sparkline';

function fmt(v: number | null, digits: number, unit: string): string {
  return v === null ? '—' : `${v.toFixed(digits)}${unit}`;
}

/** `sheet`: full screen with a close button (narrow screens); otherwise a side panel. */
export function QualityPanel({ remotes, onClose, sheet = false }: { remotes: RemoteView[]; onClose: () => void; sheet?: boolean }) {
  return (
    <aside data-testid="quality-panel" data-sheet={sheet ? 'true' : 'false'} className={sheet ? SHEET : SIDE_PANEL}>
      <header className="flex items-center justify-between border-b border-white/5 px-4 py-3">
        <h2 className="text-sm font-semibold text-slate-100">Connection quality</h2>
        <button type="button" data-testid="close-quality" onClick={onClose} className={`rounded-lg text-slate-400 hover:bg-white/5 hover:text-white ${sheet ? 'p-2.5' : 'p-1'}`} aria-label="Close">
          <CloseIcon className={sheet ? 'h-5 w-5' : 'h-4 w-4'} />
        </button>
      </header>
      <div className="flex-1 space-y-3 overflow-y-auto p-3">
        {remotes.length === 0 && <p className="p-2 text-sm text-slate-400">Nobody else is here yet.</p>}
        {remotes.map((r) => {
          const m = r.metrics;
          return (
            <section key={r.id} data-testid="quality-card" data-peer-id={r.id} data-level={r.level} className="rounded-xl bg-slate-800/60 p-3">
              <div className="mb-2 flex items-center gap-2">
                <QualityDot level={r.level} />
                <span className="truncate text-sm font-medium text-white">{r.name}</span>
                <span className="ml-auto text-xs font-medium text-slate-300">{LEVEL_LABEL[r.level]}</span>
              </div>
              <dl className="grid grid-cols-3 gap-x-2 gap-y-1.5 text-xs">
                <Stat k="Bitrate" v={formatBitrate(m.bitrateKbps)} testid="stat-bitrate" />
                <Stat k="RTT" v={fmt(m.rttMs, 0, ' ms')} testid="stat-rtt" />
                <Stat k="Loss" v={fmt(m.lossPercent, 1, ' %')} testid="stat-loss" />
                <Stat k="FPS" v={fmt(m.fps, 0, '')} testid="stat-fps" />
                <Stat k="Resolution" v={m.width && m.height ? `${m.width}×${m.height}` : '—'} testid="stat-resolution" wide />
              </dl>
              <div data-testid="stat-send" className="mt-2 flex items-center justify-between rounded-lg bg-slate-900/60 px-2 py-1.5 text-xs">
                <span className="text-slate-400">You send</span>
                <span className="font-medium tabular-nums text-slate-100" title={r.sendQuality ? `limited by ${r.sendQuality.reason}` : undefined}>
                  {r.sendQuality
                    ? `≤ ${formatBitrate(r.sendQuality.maxBitrateKbps)} · ${r.sendQuality.scaleResolutionDownBy === 1 ? 'full res' : `1/${r.sendQuality.scaleResolutionDownBy} res`} · ${r.sendQuality.maxFramerate} fps`
                    : '—'}
                </span>
              </div>
              <div className="mt-2">
                <div className="mb-0.5 flex justify-between text-[10px] uppercase tracking-wider text-slate-400">
                  <span>Bitrate · last minute</span>
                </div>
                <Sparkline values={r.history.map((h) => h.kbps)} label={`bitrate ${r.name}`} />
              </div>
            </section>
          );
        })}
      </div>
    </aside>
  );
}

function Stat({ k, v, testid, wide = false }: { k: string; v: string; testid: string; wide?: boolean }) {
  return (
    <div className={wide ? 'col-span-2' : ''}>
      <dt className="text-slate-400">{k}</dt>
      <dd data-testid={testid} className="font-medium tabular-nums text-slate-100">
        {v}
      </dd>
    </div>
  );
}
