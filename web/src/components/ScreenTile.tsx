// A shared screen, shown large with whose screen it is. Contained, not cropped: text on a shared
// screen must stay readable edge to edge.
import { useEffect, useRef } from 'react';
import { ScreenIcon } from './icons';

export function ScreenTile({ track, name, peerId, isLocal }: { track: MediaStreamTrack; name: string; peerId: string; isLocal: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    void el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [track]);
  return (
    <div data-testid="screen-tile" data-peer-id={peerId} data-local={isLocal ? 'true' : 'false'} data-record-tile="contain" data-record-name={`${name} (screen)`} className="relative h-full w-full overflow-hidden rounded-2xl bg-black ring-1 ring-white/5">
      <video ref={ref} data-testid="screen-video" autoPlay playsInline muted className="h-full w-full object-contain" />
      <div className="absolute left-3 top-3 inline-flex max-w-[calc(100%-1.5rem)] items-center gap-2 rounded-full bg-black/60 px-3 py-1.5 text-sm font-medium text-white backdrop-blur">
        <ScreenIcon className="h-4 w-4 shrink-0 text-emerald-300" />
        <span data-testid="screen-name" className="truncate">{isLocal ? 'You are presenting' : `${name} is presenting`}</span>
      </div>
    </div>
  );
}
