// One participant's tile: video (or an avatar when the camera is off, or when a remote video shows
// no picture), name, mic/camera marks and the connection-quality dot. The local tile is mirrored
// and always muted. The video fills the tile (cropped) when their shapes are close and is shown
// whole (letterboxed) when they differ a lot (layout.videoFit).
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { forget, playWithAudio } from '../audioUnlock';
import type { QualityLevel } from '../rtc/stats';
import { CamOffIcon, EyeOffIcon, HandIcon, MicOffIcon, PinIcon } from './icons';
import { videoFit, type Size } from './layout';
import { QualityDot } from './QualityDot';
import { tileFace } from './tileFace';
import { useVideoShowing } from './useVideoShowing';
import type { E2eeProblem } from '../room/RoomSnapshot';
import { E2eeTileNotice } from './E2eeNotices';

export interface VideoTileProps {
  peerId: string;
  name: string;
  isLocal: boolean;
  videoTrack: MediaStreamTrack | null;
  audioTrack: MediaStreamTrack | null;
  audioOn: boolean;
  videoOn: boolean;
  /** The media server forwards this camera to us now (last-N); false: the avatar, not the video. */
  videoForwarded?: boolean;
  level?: QualityLevel;
  connectionState?: RTCPeerConnectionState;
  speakerId?: string | null;
  onShowStats?: () => void;
  /** Their voice is the loudest lately: a ring around the tile. */
  speaking?: boolean;
  hand?: boolean;
  /** This tile is pinned (speaker view keeps it large). */
  pinned?: boolean;
  /** Offered on remote tiles: pin or unpin this person. */
  onTogglePin?: () => void;
  /** Offered on our own tile: hide self-view. */
  onHideSelf?: () => void;
  /** A small tile (strip, inset): a smaller avatar. */
  compact?: boolean;
  /** End-to-end encryption keeps their media from being shown: the tile says why (E2eeNotices). */
  e2eeProblem?: E2eeProblem | null;
}

/** The tile's and the video's sizes, kept current: what the letterbox decision needs. */
function useShapes(tileRef: RefObject<HTMLDivElement | null>, videoRef: RefObject<HTMLVideoElement | null>): { tile: Size; video: Size } {
  const [tile, setTile] = useState<Size>({ width: 0, height: 0 });
  const [video, setVideo] = useState<Size>({ width: 0, height: 0 });
  useEffect(() => {
    const box = tileRef.current;
    const el = videoRef.current;
    if (!box || !el) return;
    const observer = new ResizeObserver(() => setTile({ width: box.clientWidth, height: box.clientHeight }));
    observer.observe(box);
    const onResize = () => setVideo({ width: el.videoWidth, height: el.videoHeight });
    el.addEventListener('resize', onResize);
    el.addEventListener('loadedmetadata', onResize);
    onResize();
    return () => {
      observer.disconnect();
      el.removeEventListener('resize', onResize);
      el.removeEventListener('loadedmetadata', onResize);
    };
  }, [tileRef, videoRef]);
  return { tile, video };
}

type SinkCapable = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const s = parts.length >= 2 ? `${parts[0]![0]}${parts[parts.length - 1]![0]}` : (parts[0]?.slice(0, 2) ?? '?');
  return s.toUpperCase();
}

const AVATAR_COLORS = ['from-indigo-500 to-violet-600', 'from-emerald-500 to-teal-600', 'from-amber-500 to-orange-600', 'from-sky-500 to-blue-600', 'from-rose-500 to-pink-600', 'from-fuchsia-500 to-purple-600'];

function colorFor(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLORS[h % AVATAR_COLORS.length]!;
}

export function VideoTile(p: VideoTileProps) {
  const ref = useRef<HTMLVideoElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const shapes = useShapes(box, ref);
  const fit = videoFit(shapes.tile, shapes.video);
  // Local preview: video only (never play our own microphone back).
  const tracks = useMemo(
    () => [p.videoTrack, p.isLocal ? null : p.audioTrack].filter((t): t is MediaStreamTrack => t !== null),
    [p.videoTrack, p.audioTrack, p.isLocal],
  );

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (tracks.length === 0) {
      el.srcObject = null;
      return;
    }
    // Attach only once there are tracks: an empty stream can stall the page's load event.
    el.srcObject = new MediaStream(tracks);
    if (p.isLocal) void el.play().catch(() => undefined);
    else void playWithAudio(el);
    return () => forget(el);
  }, [tracks, p.isLocal]);

  useEffect(() => {
    const el = ref.current as SinkCapable | null;
    if (!el || p.isLocal || !p.speakerId || typeof el.setSinkId !== 'function') return;
    el.setSinkId(p.speakerId).catch(() => undefined);
  }, [p.speakerId, p.isLocal]);

  const cameraOn = p.videoOn && p.videoTrack !== null;
  // A remote camera that is "on" but brings no picture (nothing arrives, or black frames from a
  // client that disabled its track without saying so) shows the initials, not a black tile.
  const forwarded = p.videoForwarded !== false;
  const picture = useVideoShowing(ref, p.videoTrack, cameraOn && forwarded && !p.isLocal);
  const face = tileFace({ isLocal: p.isLocal, cameraOn, forwarded, picture });
  const showVideo = face === 'video';
  const connecting = !p.isLocal && p.connectionState !== 'connected' && p.connectionState !== undefined;

  return (
    <div
      ref={box}
      data-testid="tile"
      data-peer-id={p.peerId}
      data-local={p.isLocal ? 'true' : 'false'}
      data-speaking={p.speaking ? 'true' : 'false'}
      data-pinned={p.pinned ? 'true' : 'false'}
      data-fit={fit}
      data-record-tile={fit}
      data-picture={showVideo ? 'true' : 'false'}
      // The recording shows names as others know them: "(you)" is only true for this screen.
      data-record-name={p.name}
      className={`group relative h-full w-full overflow-hidden rounded-2xl bg-slate-900 transition-shadow duration-200 ${p.speaking ? 'ring-[3px] ring-emerald-400 shadow-[0_0_24px_rgba(52,211,153,0.35)]' : 'ring-1 ring-white/5'}`}
    >
      <video
        ref={ref}
        data-testid={p.isLocal ? 'local-video' : 'remote-video'}
        autoPlay
        playsInline
        muted={p.isLocal}
        className={`h-full w-full ${fit === 'contain' ? 'object-contain' : 'object-cover'} transition-opacity duration-300 ${p.isLocal ? '-scale-x-100' : ''} ${cameraOn ? 'opacity-100' : 'opacity-0'}`}
      />
      {/* Over the video rather than hiding it: it keeps playing, so new frames are seen at once. */}
      {!showVideo && (
        <div data-testid={`tile-${face}`} title={face === 'not-forwarded' ? 'Video paused: not among the most recent speakers' : undefined} className="absolute inset-0 grid place-items-center bg-gradient-to-b from-slate-800 to-slate-900">
          <div className={`grid place-items-center rounded-full bg-gradient-to-br font-semibold text-white shadow-xl ${p.compact ? 'h-12 w-12 text-base' : 'h-20 w-20 text-2xl'} ${colorFor(p.peerId)}`}>
            {initials(p.name)}
          </div>
        </div>
      )}
      {p.e2eeProblem && <E2eeTileNotice problem={p.e2eeProblem} name={p.name} />}
      {p.hand && (
        <div data-testid="tile-hand" className="absolute left-3 top-3 inline-flex items-center gap-1.5 rounded-full bg-amber-400 px-2.5 py-1 text-xs font-semibold text-slate-900 shadow-lg" title="Hand raised">
          <HandIcon className="h-4 w-4" /> Hand raised
        </div>
      )}
      {(p.onTogglePin || p.onHideSelf) && (
        <div className="absolute right-2 top-2 flex gap-1">
          {p.onTogglePin && (
            <button
              type="button"
              data-testid="pin-tile"
              aria-pressed={p.pinned === true}
              aria-label={p.pinned ? `Unpin ${p.name}` : `Pin ${p.name}`}
              title={p.pinned ? 'Unpin' : 'Pin: keep large'}
              onClick={p.onTogglePin}
              className={`grid h-8 w-8 place-items-center rounded-full backdrop-blur transition ${p.pinned ? 'bg-indigo-500 text-white' : 'bg-black/50 text-slate-100 hover:bg-black/70'}`}
            >
              <PinIcon className="h-4 w-4" />
            </button>
          )}
          {p.onHideSelf && (
            <button type="button" data-testid="hide-self-view" aria-label="Hide self-view" title="Hide self-view" onClick={p.onHideSelf} className="grid h-8 w-8 place-items-center rounded-full bg-black/50 text-slate-100 backdrop-blur hover:bg-black/70">
              <EyeOffIcon className="h-4 w-4" />
            </button>
          )}
        </div>
      )}
      {connecting && (
        <div className="pointer-events-none absolute inset-x-0 top-3 flex justify-center">
          <span className="rounded-full bg-black/60 px-3 py-1 text-xs text-slate-200 backdrop-blur">
            {p.connectionState === 'failed' || p.connectionState === 'disconnected' ? 'Reconnecting media…' : 'Connecting…'}
          </span>
        </div>
      )}
      <div className="absolute inset-x-0 bottom-0 flex items-center gap-2 bg-gradient-to-t from-black/70 to-transparent px-3 pb-2.5 pt-8">
        {!p.isLocal && p.level && (
          <button type="button" onClick={p.onShowStats} className="rounded-full p-1 hover:bg-white/10" title="Connection quality" aria-label="Connection quality">
            <QualityDot level={p.level} />
          </button>
        )}
        <span data-testid="tile-name" className="truncate text-sm font-medium text-white drop-shadow">
          {p.name}
          {p.isLocal && <span className="text-slate-300"> (you)</span>}
        </span>
        <span className="ml-auto flex items-center gap-1.5">
          {!p.videoOn && <CamOffIcon className="h-4 w-4 text-slate-300" aria-label="Camera off" />}
          {!p.audioOn && (
            <span data-testid="tile-muted" title="Microphone off" className="grid h-6 w-6 place-items-center rounded-full bg-rose-500/90">
              <MicOffIcon className="h-3.5 w-3.5 text-white" />
            </span>
          )}
        </span>
      </div>
    </div>
  );
}
