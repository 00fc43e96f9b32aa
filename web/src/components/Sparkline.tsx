// A hand-drawn SVG line chart of the last minute; enough to see a trend at a glance.
export function Sparkline({ values, width = 220, height = 40, color = '#818cf8', label }: { values: number[]; width?: number; height?: number; color?: string; label: string }) {
  if (values.length < 2) {
    return <div className="grid h-10 place-items-center text-xs text-slate-400">collecting…</div>;
  }
  const max = Math.max(...values, 1e-9);
  const stepX = width / (values.length - 1);
  const pts = values.map((v, i) => [i * stepX, height - 2 - (v / max) * (height - 4)] as const);
  const line = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const area = `${line} L${width},${height} L0,${height} Z`;
  const gid = `g-${label.replace(/\W/g, '')}`;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="h-10 w-full" preserveAspectRatio="none" role="img" aria-label={label}>
      <defs>
        <linearGradient id={gid} x1="0" x2="0" y1="0" y2="1">
          <stop offset="0%" stopColor={color} stopOpacity="0.35" />
          <stop offset="100%" stopColor={color} stopOpacity="0" />
        </linearGradient>
      </defs>
      <path d={area} fill={`url(#${gid})`} />
      <path d={line} fill="none" stroke={color} strokeWidth="1.6" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
