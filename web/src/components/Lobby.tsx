// Before joining: live preview, name, devices, mic/camera on-off, and every reason joining might not
// work, spelled out.
import { useEffect, useRef, useState } from 'react';
import type { LocalMedia, LocalMediaSnapshot } from '../rtc/media';
import { problemMessage } from '../rtc/media';
import { savePrefs } from '../prefs';
import { navigate } from '../router';
import { CamIcon, CamOffIcon, Logo, MicIcon, MicOffIcon } from './icons';
import { DevicePickers } from './DevicePickers';
import { MicMeter, RoomCodeButton, RoomPreviewLine, SpeakerTest } from './LobbyChecks';
import { RoundButton } from './RoundButton';
import { initials } from './VideoTile';
import { sanitizeDisplayName } from '../protocol/displayName';
import { refusalMessage, type AccessRefusalCode } from '../access/accessRefusal';

export type LobbyStatus =
  | { kind: 'ready' }
  | { kind: 'joining' }
  | { kind: 'room-full'; message: string }
  | { kind: 'rejected'; message: string }
  | { kind: 'access-denied'; code: AccessRefusalCode }
  | { kind: 'unreachable'; attempt: number; max: number; gaveUp: boolean };

export function Lobby({ roomId, media, snap, initialName, tokenName = null, status, onJoin, onRetry }: {
  roomId: string;
  media: LocalMedia;
  snap: LocalMediaSnapshot;
  initialName: string;
  /** The name the link's room token fixes: shown read-only, since the server uses it whatever is typed. */
  tokenName?: string | null;
  status: LobbyStatus;
  onJoin: (name: string) => void;
  onRetry: () => void;
}) {
  const [typedName, setName] = useState(initialName);
  const name = tokenName ?? typedName;
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const videoRef = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const el = videoRef.current;
    if (!el || !snap.videoTrack) return;
    el.srcObject = new MediaStream([snap.videoTrack]);
    void el.play().catch(() => undefined);
  }, [snap.videoTrack]);

  const joining = status.kind === 'joining';
  const denied = snap.problems.includes('permission-denied');
  const submit = () => {
    if (tokenName !== null) {
      onJoin(tokenName); // not saved: it belongs to this link, not to this browser
      return;
    }
    const trimmed = sanitizeDisplayName(name);
    savePrefs({ name: trimmed });
    onJoin(trimmed); // blank: the server names us "Guest N", unique in the room
  };
  const showVideo = snap.videoEnabled && !!snap.videoTrack;

  return (
    <div data-testid="lobby" className="flex min-h-full flex-col">
      <header className="flex items-center justify-between px-6 py-5">
        <button type="button" onClick={() => navigate('/')} aria-label="PulseMeet start page" className="text-lg text-white">
          <Logo />
        </button>
        <RoomCodeButton roomId={roomId} />
      </header>
      <main className="mx-auto grid w-full max-w-6xl flex-1 items-center gap-8 px-6 pb-12 lg:grid-cols-[1.5fr_1fr]">
        <section>
          <div className="relative aspect-video overflow-hidden rounded-3xl bg-slate-900 shadow-2xl shadow-black/40 ring-1 ring-white/10">
            <video ref={videoRef} data-testid="preview-video" autoPlay playsInline muted className={`h-full w-full -scale-x-100 object-cover ${showVideo ? '' : 'invisible'}`} />
            {!showVideo && (
              <div className="absolute inset-0 grid place-items-center">
                <div className="text-center">
                  <div className="mx-auto grid h-24 w-24 place-items-center rounded-full bg-gradient-to-br from-indigo-500 to-violet-600 text-3xl font-semibold text-white">{initials(name || 'Guest')}</div>
                  <p className="mt-4 text-sm text-slate-400">{!snap.ready ? 'Starting camera…' : snap.videoTrack ? 'Camera is off' : 'No camera'}</p>
                </div>
              </div>
            )}
            <div className="absolute inset-x-0 bottom-0 flex justify-center gap-3 bg-gradient-to-t from-black/60 to-transparent pb-4 pt-10">
              <RoundButton testid="lobby-mic-toggle" label={snap.audioEnabled ? 'Turn off microphone' : 'Turn on microphone'} off={!snap.audioEnabled} pressed={!snap.audioEnabled} onClick={() => { media.setEnabled('audio', !snap.audioEnabled); savePrefs({ audioEnabled: !snap.audioEnabled }); }}>
                {snap.audioEnabled ? <MicIcon className="h-5 w-5" /> : <MicOffIcon className="h-5 w-5" />}
              </RoundButton>
              <RoundButton testid="lobby-cam-toggle" label={snap.videoEnabled ? 'Turn off camera' : 'Turn on camera'} off={!snap.videoEnabled} pressed={!snap.videoEnabled} onClick={() => { media.setEnabled('video', !snap.videoEnabled); savePrefs({ videoEnabled: !snap.videoEnabled }); }}>
                {snap.videoEnabled ? <CamIcon className="h-5 w-5" /> : <CamOffIcon className="h-5 w-5" />}
              </RoundButton>
            </div>
          </div>
          {snap.problems.map((p) => (
            <p key={p} data-testid="media-problem" data-problem={p} className={`mt-4 rounded-xl px-4 py-3 text-sm ring-1 ${p === 'permission-denied' ? 'bg-rose-500/10 text-rose-200 ring-rose-500/30' : 'bg-amber-500/10 text-amber-100 ring-amber-500/30'}`}>
              {problemMessage(p)}
            </p>
          ))}
          {(deviceError ?? snap.notice) && <p data-testid="notice" className="mt-3 text-sm text-amber-200">{deviceError ?? snap.notice}</p>}
        </section>

        <section className="rounded-3xl bg-slate-900/70 p-6 ring-1 ring-white/10 backdrop-blur">
          <h1 className="text-2xl font-semibold text-white">Ready to join?</h1>
          <p className="mt-1 text-sm text-slate-400">
            Check your camera and microphone before you go in.{' '}
            <a href={`/check${window.location.search}`} target="_blank" rel="noopener" data-testid="lobby-check-link" className="text-indigo-300 underline-offset-2 hover:underline">
              Test your connection
            </a>
          </p>
          <div className="mt-3">
            <RoomPreviewLine roomId={roomId} live={status.kind === 'ready'} />
          </div>
          <form className="mt-6 space-y-4" onSubmit={(e) => { e.preventDefault(); submit(); }}>
            <label className="block">
              <span className="mb-1.5 block text-xs font-medium text-slate-400">Your name</span>
              <input
                data-testid="name-input"
                value={name}
                maxLength={64}
                autoFocus={tokenName === null}
                readOnly={tokenName !== null}
                aria-describedby={tokenName !== null ? 'token-name-note' : undefined}
                onChange={(e) => setName(e.target.value)}
                placeholder="How others will see you"
                className={`w-full rounded-xl border border-white/10 px-3 py-2.5 text-sm text-white placeholder-slate-400 outline-none transition focus:border-indigo-400 focus:ring-2 focus:ring-indigo-400/30 ${tokenName !== null ? 'cursor-default bg-slate-800/40 text-slate-300' : 'bg-slate-800/80'}`}
              />
              {tokenName !== null && (
                <span id="token-name-note" data-testid="token-name-note" className="mt-1.5 block text-xs text-slate-400">
                  Set by your invitation link: everyone sees this name.
                </span>
              )}
            </label>
            {!denied && <DevicePickers media={media} snap={snap} onError={setDeviceError} />}
            {!denied && (
              <div className="space-y-3">
                <MicMeter track={snap.audioTrack} enabled={snap.audioEnabled} />
                <SpeakerTest speakerId={snap.speakerId} />
              </div>
            )}
            <StatusMessage roomId={roomId} status={status} onRetry={onRetry} />
            <button
              type="submit"
              data-testid="join-call"
              disabled={joining || !snap.ready}
              className="w-full rounded-xl bg-indigo-500 px-4 py-3 text-sm font-semibold text-white shadow-lg shadow-indigo-500/25 transition hover:bg-indigo-400 disabled:cursor-not-allowed disabled:opacity-60"
            >
              {joining ? 'Joining…' : snap.videoTrack || snap.audioTrack ? 'Join now' : 'Join without camera and mic'}
            </button>
          </form>
        </section>
      </main>
    </div>
  );
}

function StatusMessage({ roomId, status, onRetry }: { roomId: string; status: LobbyStatus; onRetry: () => void }) {
  switch (status.kind) {
    case 'access-denied': {
      const { title, detail } = refusalMessage(status.code, roomId);
      return (
        <div data-testid="access-denied-message" data-code={status.code} className="rounded-xl bg-rose-500/10 px-4 py-3 text-sm text-rose-200 ring-1 ring-rose-500/30">
          <strong className="block font-semibold">{title}</strong>
          {detail}
        </div>
      );
    }
    case 'room-full':
      return (
        <div data-testid="room-full-message" className="rounded-xl bg-amber-500/10 px-4 py-3 text-sm text-amber-100 ring-1 ring-amber-500/30">
          <strong className="block font-semibold">This room is full.</strong>
          It has reached its participant limit. Try again when someone leaves, or start a new room.
        </div>
      );
    case 'rejected':
      return (
        <div data-testid="room-rejected-message" className="rounded-xl bg-rose-500/10 px-4 py-3 text-sm text-rose-200 ring-1 ring-rose-500/30">
          The server refused this room: {status.message}
        </div>
      );
    case 'unreachable':
      return (
        <div data-testid="server-unreachable-message" data-gave-up={status.gaveUp ? 'true' : 'false'} className="rounded-xl bg-rose-500/10 px-4 py-3 text-sm text-rose-200 ring-1 ring-rose-500/30">
          <strong className="block font-semibold">Can’t reach the PulseMeet server.</strong>
          {status.gaveUp ? (
            <span className="flex items-center justify-between gap-3">
              Still trying in the background; check your connection, or retry now.
              <button type="button" data-testid="retry-button" onClick={onRetry} className="rounded-lg bg-white/10 px-3 py-1.5 font-medium text-white hover:bg-white/20">
                Retry
              </button>
            </span>
          ) : (
            <span>
              Trying again… (attempt {status.attempt} of {status.max})
            </span>
          )}
        </div>
      );
    default:
      return null;
  }
}
