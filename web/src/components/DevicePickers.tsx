// Camera / microphone / speaker pickers, shared by the lobby and the in-call settings dialog.
import type { LocalMedia, LocalMediaSnapshot } from '../rtc/media';
import { savePrefs } from '../prefs';
import { CamIcon, MicIcon, SpeakerIcon } from './icons';
import { DeviceSelect } from './DeviceSelect';

export function DevicePickers({ media, snap, onError }: { media: LocalMedia; snap: LocalMediaSnapshot; onError: (msg: string) => void }) {
  const switchTo = (kind: 'audio' | 'video', id: string) => {
    savePrefs(kind === 'audio' ? { microphoneId: id } : { cameraId: id });
    media.switchDevice(kind, id).catch(() => onError(`Could not switch to that ${kind === 'audio' ? 'microphone' : 'camera'}.`));
  };
  const speakersSupported = typeof (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId === 'function';
  return (
    <div className="space-y-3">
      <DeviceSelect label="Camera" icon={<CamIcon className="h-3.5 w-3.5" />} devices={snap.devices.cameras} value={snap.cameraId} onChange={(id) => switchTo('video', id)} testid="camera-select" emptyText="No camera found" />
      <DeviceSelect label="Microphone" icon={<MicIcon className="h-3.5 w-3.5" />} devices={snap.devices.microphones} value={snap.microphoneId} onChange={(id) => switchTo('audio', id)} testid="mic-select" emptyText="No microphone found" />
      {speakersSupported && (
        <DeviceSelect
          label="Speaker"
          icon={<SpeakerIcon className="h-3.5 w-3.5" />}
          devices={snap.devices.speakers}
          value={snap.speakerId}
          onChange={(id) => {
            savePrefs({ speakerId: id });
            media.setSpeaker(id);
          }}
          testid="speaker-select"
          emptyText="System default"
        />
      )}
    </div>
  );
}
