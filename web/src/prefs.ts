// What the browser remembers between visits: display name and preferred devices.
const KEY = 'pulsemeet.prefs.v1';

export interface Prefs {
  name: string;
  cameraId?: string;
  microphoneId?: string;
  speakerId?: string;
  audioEnabled?: boolean;
  videoEnabled?: boolean;
}

export function loadPrefs(): Prefs {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return { name: '' };
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return { name: '' };
    const o = v as Record<string, unknown>;
    const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
    const bool = (x: unknown) => (typeof x === 'boolean' ? x : undefined);
    return {
      name: str(o.name) ?? '',
      cameraId: str(o.cameraId),
      microphoneId: str(o.microphoneId),
      speakerId: str(o.speakerId),
      audioEnabled: bool(o.audioEnabled),
      videoEnabled: bool(o.videoEnabled),
    };
  } catch {
    return { name: '' };
  }
}

export function savePrefs(patch: Partial<Prefs>): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...loadPrefs(), ...patch }));
  } catch {
    /* private mode or quota: remembering is a nicety */
  }
}
