// Short on-screen notices (joined, left, raised a hand) and the screen-reader announcements for
// those, chat messages and the server connection (room/awareness says what changed).
import { useEffect, useRef, useState } from 'react';
import { awarenessEvents } from '../room/awareness';
import type { RoomSnapshot } from '../room/RoomSnapshot';

const NOTICE_MS = 4000;
const MAX_NOTICES = 3;

export function Awareness({ snap }: { snap: RoomSnapshot }) {
  const previous = useRef<RoomSnapshot | null>(null);
  const nextId = useRef(0);
  const [notices, setNotices] = useState<{ id: number; text: string }[]>([]);
  const [spoken, setSpoken] = useState('');
  useEffect(() => {
    const events = awarenessEvents(previous.current, snap);
    previous.current = snap;
    if (events.length === 0) return;
    setSpoken(events.map((e) => e.text).join('. '));
    const shown = events.filter((e) => e.visible).map((e) => ({ id: nextId.current++, text: e.text }));
    if (shown.length === 0) return;
    setNotices((list) => [...list, ...shown].slice(-MAX_NOTICES));
    const ids = new Set(shown.map((n) => n.id));
    setTimeout(() => setNotices((list) => list.filter((n) => !ids.has(n.id))), NOTICE_MS);
  }, [snap]);
  return (
    <>
      <div data-testid="live-announcer" role="status" aria-live="polite" aria-atomic="true" className="sr-only">
        {spoken}
      </div>
      {notices.length > 0 && (
        <ul aria-hidden="true" className="pointer-events-none fixed left-1/2 top-16 z-30 flex w-max max-w-[calc(100vw-2rem)] -translate-x-1/2 flex-col items-center gap-2">
          {notices.map((n) => (
            <li key={n.id} data-testid="awareness-notice" className="truncate rounded-full bg-slate-800/95 px-4 py-2 text-sm text-slate-100 shadow-lg ring-1 ring-white/10">
              {n.text}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
