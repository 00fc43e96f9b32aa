import type { QualityLevel } from '../rtc/stats';

const COLORS: Record<QualityLevel, string> = {
  good: 'bg-emerald-400 shadow-emerald-400/60',
  fair: 'bg-amber-400 shadow-amber-400/60',
  poor: 'bg-rose-500 shadow-rose-500/60',
  unknown: 'bg-slate-500 shadow-transparent',
};

export const LEVEL_LABEL: Record<QualityLevel, string> = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: 'Measuring…' };

export function QualityDot({ level }: { level: QualityLevel }) {
  return <span data-testid="quality-dot" data-level={level} title={LEVEL_LABEL[level]} className={`block h-2.5 w-2.5 rounded-full shadow-[0_0_8px] ${COLORS[level]}`} />;
}
