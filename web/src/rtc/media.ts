// Local camera and microphone: acquisition with graceful fallbacks, device lists that follow
// `devicechange`, switching devices mid-call, and recovering when a device is unplugged.
// Owners subscribe to `onTrackChanged` and push the new track into every RTCPeerConnection with
// replaceTrack — a device switch never renegotiates and never touches the signaling socket.
import type { MediaKind } from './peerConnectionLike';

export type MediaProblem =
  | 'permission-denied' // the user (or a policy) blocked camera/mic
  | 'no-camera' // nothing to capture video from: join with audio only
  | 'no-microphone'
  | 'device-busy' // another app holds the device
  | 'insecure-context' // getUserMedia needs https or localhost
  | 'unknown';

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export interface MediaPrefs {
  cameraId?: string;
  microphoneId?: string;
}

export interface LocalMediaSnapshot {
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  audioEnabled: boolean;
  videoEnabled: boolean;
  devices: DeviceLists;
  cameraId: string | null;
  microphoneId: string | null;
  speakerId: string | null;
  problems: MediaProblem[];
  ready: boolean;
  /** A short human message after an automatic change (device unplugged and replaced). */
  notice: string | null;
  version: number;
}

export function classifyMediaError(err: unknown, kind: MediaKind | 'both'): MediaProblem {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err)
    ? String((err as { name: unknown }).name)
    : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'permission-denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return kind === 'audio' ? 'no-microphone' : 'no-camera';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'device-busy';
    default:
      return 'unknown';
  }
}

export function problemMessage(p: MediaProblem): string {
  switch (p) {
    case 'permission-denied':
      return 'Camera and microphone access is blocked. Allow it in your browser’s site settings (the icon left of the address bar), then reload.';
    case 'no-camera':
      return 'No camera found. You can still join with audio only.';
    case 'no-microphone':
      return 'No microphone found. Others won’t hear you, but you can still join.';
    case 'device-busy':
      return 'Your camera or microphone is in use by another application. Close it and try again.';
    case 'insecure-context':
      return 'Camera and microphone need a secure connection (https or localhost).';
    case 'unknown':
      return 'Could not start your camera or microphone.';
  }
}

const EMPTY_DEVICES: DeviceLists = { cameras: [], microphones: [], speakers: [] };

export async function listDevices(md: MediaDevices): Promise<DeviceLists> {
  const all = await md.enumerateDevices();
  // Without permission the browser lists devices with empty ids; they are not selectable.
  const usable = all.filter((d) => d.deviceId !== '');
  return {
    cameras: usable.filter((d) => d.kind === 'videoinput'),
    microphones: usable.filter((d) => d.kind === 'audioinput'),
    speakers: usable.filter((d) => d.kind === 'audiooutput'),
  };
}

function constraintFor(id: string | undefined | null): MediaTrackConstraints | boolean {
  return id ? { deviceId: { exact: id } } : true;
}

const VIDEO_QUALITY: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

type Listener = () => void;
type TrackListener = (kind: MediaKind, track: MediaStreamTrack | null) => void;

export class LocalMedia {
  private snap: LocalMediaSnapshot = {
    audioTrack: null,
    videoTrack: null,
    audioEnabled: true,
    videoEnabled: true,
    devices: EMPTY_DEVICES,
    cameraId: null,
    microphoneId: null,
    speakerId: null,
    problems: [],
    ready: false,
    notice: null,
    version: 0,
  };
  /** One stream whose tracks we swap in place, so the preview <video> never needs a new srcObject. */
  readonly stream: MediaStream;
  private listeners = new Set<Listener>();
  private trackListeners = new Set<TrackListener>();
  private stopped = false;
  private readonly onDeviceChange = () => void this.refreshDevices();

  constructor(private readonly md: MediaDevices | undefined = navigator.mediaDevices) {
    this.stream = new MediaStream();
    md?.addEventListener('devicechange', this.onDeviceChange);
  }

  get snapshot(): LocalMediaSnapshot {
    return this.snap;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onTrackChanged(fn: TrackListener): () => void {
    this.trackListeners.add(fn);
    return () => this.trackListeners.delete(fn);
  }

  /** First acquisition: both devices; on failure degrade to what works and say why. */
  async start(prefs: MediaPrefs, speakerId: string | null): Promise<void> {
    const md = this.md;
    if (!md || typeof md.getUserMedia !== 'function') {
      this.update({ problems: ['insecure-context'], ready: true });
      return;
    }
    const problems: MediaProblem[] = [];
    let audio: MediaStreamTrack | null = null;
    let video: MediaStreamTrack | null = null;
    try {
      const s = await md.getUserMedia({
        audio: constraintFor(prefs.microphoneId),
        video: { ...VIDEO_QUALITY, ...(prefs.cameraId ? { deviceId: { exact: prefs.cameraId } } : {}) },
      });
      audio = s.getAudioTracks()[0] ?? null;
      video = s.getVideoTracks()[0] ?? null;
    } catch (err) {
      const p = classifyMediaError(err, 'both');
      if (p === 'permission-denied') {
        problems.push(p);
      } else {
        // Try each device on its own: a missing camera must not cost us the microphone.
        audio = await this.tryOne('audio', prefs.microphoneId, problems);
        video = await this.tryOne('video', prefs.cameraId, problems);
      }
    }
    if (this.stopped) {
      audio?.stop();
      video?.stop();
      return;
    }
    const devices = await this.safeList();
    if (!video && !problems.includes('permission-denied') && !problems.includes('no-camera') && devices.cameras.length === 0) {
      problems.push('no-camera');
    }
    this.setTrack('audio', audio);
    this.setTrack('video', video);
    const speakerOk = speakerId && devices.speakers.some((d) => d.deviceId === speakerId);
    this.update({
      devices,
      problems: dedupe(problems),
      ready: true,
      cameraId: video?.getSettings().deviceId ?? null,
      microphoneId: audio?.getSettings().deviceId ?? null,
      speakerId: speakerOk ? speakerId : (devices.speakers[0]?.deviceId ?? null),
      videoEnabled: video ? this.snap.videoEnabled : false,
      audioEnabled: audio ? this.snap.audioEnabled : false,
    });
  }

  private async tryOne(kind: MediaKind, id: string | undefined, problems: MediaProblem[]): Promise<MediaStreamTrack | null> {
    if (!this.md) return null;
    try {
      const s = await this.md.getUserMedia(
        kind === 'audio' ? { audio: constraintFor(id) } : { video: { ...VIDEO_QUALITY, ...(id ? { deviceId: { exact: id } } : {}) } },
      );
      return (kind === 'audio' ? s.getAudioTracks()[0] : s.getVideoTracks()[0]) ?? null;
    } catch (err) {
      if (id) return this.tryOne(kind, undefined, problems); // the remembered device is gone
      problems.push(classifyMediaError(err, kind));
      return null;
    }
  }

  /** Turn a device on or off without releasing it (track.enabled), so no renegotiation happens. */
  setEnabled(kind: MediaKind, enabled: boolean): void {
    const track = kind === 'audio' ? this.snap.audioTrack : this.snap.videoTrack;
    if (track) track.enabled = enabled;
    this.update(kind === 'audio' ? { audioEnabled: enabled && !!track } : { videoEnabled: enabled && !!track });
  }

  /** Switch to another camera/microphone; listeners replaceTrack it into the connections. */
  async switchDevice(kind: MediaKind, deviceId: string, notice: string | null = null): Promise<void> {
    if (!this.md) return;
    const constraints: MediaStreamConstraints =
      kind === 'audio' ? { audio: { deviceId: { exact: deviceId } } } : { video: { ...VIDEO_QUALITY, deviceId: { exact: deviceId } } };
    const s = await this.md.getUserMedia(constraints);
    const track = (kind === 'audio' ? s.getAudioTracks()[0] : s.getVideoTracks()[0]) ?? null;
    if (this.stopped) {
      track?.stop();
      return;
    }
    const hadTrack = kind === 'audio' ? this.snap.audioTrack : this.snap.videoTrack;
    this.setTrack(kind, track);
    const enabledKey = kind === 'audio' ? 'audioEnabled' : 'videoEnabled';
    // A camera that appears when there was none turns on; otherwise keep the user's on/off choice.
    const enabled = hadTrack ? this.snap[enabledKey] : true;
    if (track) track.enabled = enabled;
    this.update({
      [kind === 'audio' ? 'microphoneId' : 'cameraId']: track?.getSettings().deviceId ?? deviceId,
      [enabledKey]: enabled && !!track,
      problems: this.snap.problems.filter((p) => p !== (kind === 'audio' ? 'no-microphone' : 'no-camera')),
      notice,
    });
  }

  setSpeaker(deviceId: string): void {
    this.update({ speakerId: deviceId });
  }

  clearNotice(): void {
    if (this.snap.notice) this.update({ notice: null });
  }

  stop(): void {
    this.stopped = true;
    this.md?.removeEventListener('devicechange', this.onDeviceChange);
    for (const t of this.stream.getTracks()) {
      t.onended = null;
      t.stop();
    }
  }

  // ---- internals ----

  private setTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    const old = kind === 'audio' ? this.snap.audioTrack : this.snap.videoTrack;
    if (old === track) return;
    if (old) {
      old.onended = null;
      this.stream.removeTrack(old);
      old.stop();
    }
    if (track) {
      this.stream.addTrack(track);
      // 'ended' without our stop() means the device went away (unplugged, revoked).
      track.onended = () => void this.onDeviceLost(kind, track);
    }
    this.snap = { ...this.snap, [kind === 'audio' ? 'audioTrack' : 'videoTrack']: track };
    for (const fn of [...this.trackListeners]) fn(kind, track);
  }

  private async onDeviceLost(kind: MediaKind, lost: MediaStreamTrack): Promise<void> {
    if (this.stopped) return;
    const label = lost.label || (kind === 'audio' ? 'microphone' : 'camera');
    const lostId = lost.getSettings().deviceId;
    const devices = await this.safeList();
    const candidates = kind === 'audio' ? devices.microphones : devices.cameras;
    const next = candidates.find((d) => d.deviceId !== lostId && d.deviceId !== 'default') ?? candidates.find((d) => d.deviceId !== lostId);
    this.update({ devices });
    if (next) {
      try {
        await this.switchDevice(kind, next.deviceId, `${label} disconnected — switched to ${next.label || 'another device'}.`);
        return;
      } catch {
        /* fall through to "none left" */
      }
    }
    this.setTrack(kind, null);
    this.update({
      [kind === 'audio' ? 'audioEnabled' : 'videoEnabled']: false,
      [kind === 'audio' ? 'microphoneId' : 'cameraId']: null,
      notice: `${label} disconnected and no other ${kind === 'audio' ? 'microphone' : 'camera'} is available.`,
    });
  }

  private async refreshDevices(): Promise<void> {
    const devices = await this.safeList();
    if (this.stopped) return;
    this.update({ devices });
    // A device appeared while we had none of that kind: pick it up.
    if (!this.snap.videoTrack && devices.cameras[0] && !this.snap.problems.includes('permission-denied')) {
      await this.switchDevice('video', devices.cameras[0].deviceId, 'Camera connected.').catch(() => undefined);
    }
    if (!this.snap.audioTrack && devices.microphones[0] && !this.snap.problems.includes('permission-denied')) {
      await this.switchDevice('audio', devices.microphones[0].deviceId, 'Microphone connected.').catch(() => undefined);
    }
  }

  private async safeList(): Promise<DeviceLists> {
    if (!this.md) return EMPTY_DEVICES;
    try {
      return await listDevices(this.md);
    } catch {
      return EMPTY_DEVICES;
    }
  }

  private update(patch: Partial<LocalMediaSnapshot>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1 };
    for (const fn of [...this.listeners]) fn();
  }
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
