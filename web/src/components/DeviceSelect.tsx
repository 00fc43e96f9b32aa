import type { ReactNode } from 'react';

export function DeviceSelect({ label, icon, devices, value, onChange, testid, emptyText }: {
  label: string;
  icon: ReactNode;
  devices: MediaDeviceInfo[];
  value: string | null;
  onChange: (id: string) => void;
  testid: string;
  emptyText: string;
}) {
  return (
    <label className="block">
      <span className="mb-1.5 flex items-center gap-1.5 text-xs font-medium text-slate-400">
        {icon}
        {label}
      </span>
      <select
        data-testid={testid}
        value={value ?? ''}
        disabled={devices.length === 0}
        onChange={(e) => onChange(e.target.value)}
        className="w-full appearance-none truncate rounded-xl border border-white/10 bg-slate-800/80 bg-[url('data:image/svg+xml;utf8,<svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 24 24%22 fill=%22none%22 stroke=%22%2394a3b8%22 stroke-width=%222%22><path d=%22m6 9 6 6 6-6%22/></svg>')] bg-[length:16px] bg-[right_12px_center] bg-no-repeat px-3 py-2.5 pr-9 text-sm text-slate-100 outline-none transition focus:border-indigo-400 focus:ring-2 focus:ring-indigo-400/30 disabled:opacity-50"
      >
        {devices.length === 0 && <option value="">{emptyText}</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
