// Keeping people aware of each other: the participants list's order (raised hands first, in the
// order they were raised) and the short notices and screen-reader announcements a change in the
// call deserves (someone joins, leaves, raises a hand, writes in the chat; the server connection
// drops or comes back). Pure functions over snapshots, so the tests need no React.
import type { QualityLevel } from '../rtc/stats';
import type { RoomSnapshot } from './RoomSnapshot';

/** Who has a hand up, oldest first: those still raised keep their place, new ones go last. */
export function raisedHandOrder(previous: readonly string[], raised: readonly string[]): string[] {
  const up = new Set(raised);
  const kept = previous.filter((id) => up.has(id));
  const known = new Set(kept);
  return [...kept, ...raised.filter((id) => !known.has(id))];
}

export interface ParticipantRow {
  id: string;
  name: string;
  isLocal: boolean;
  audio: boolean;
  video: boolean;
  hand: boolean;
  /** Our own row has no connection to measure: null. */
  quality: QualityLevel | null;
}

/** The participants list: raised hands first in the order raised, then us, then the rest by name. */
export function participantRows(
  snap: RoomSnapshot,
  local: { name: string; audio: boolean; video: boolean },
  handOrder: readonly string[],
): ParticipantRow[] {
  const selfId = snap.localId ?? 'local';
  const rows: ParticipantRow[] = [
    { id: selfId, name: local.name, isLocal: true, audio: local.audio, video: local.video, hand: snap.local.hand, quality: null },
    ...snap.remotes.map((r) => ({ id: r.id, name: r.name, isLocal: false, audio: r.media.audio, video: r.media.video, hand: r.media.hand === true, quality: r.level })),
  ];
  const handRank = (row: ParticipantRow) => (row.hand ? handOrder.indexOf(row.id) : -1);
  return rows.sort((a, b) => {
    if (a.hand !== b.hand) return a.hand ? -1 : 1;
    if (a.hand) return (handRank(a) === -1 ? Infinity : handRank(a)) - (handRank(b) === -1 ? Infinity : handRank(b));
    if (a.isLocal !== b.isLocal) return a.isLocal ? -1 : 1;
    return a.name.localeCompare(b.name);
  });
}

/** The ids with a hand up in a snapshot (ours as `localId`). */
export function raisedIds(snap: RoomSnapshot): string[] {
  return [...(snap.local.hand ? [snap.localId ?? 'local'] : []), ...snap.remotes.filter((r) => r.media.hand === true).map((r) => r.id)];
}

export interface AwarenessEvent {
  text: string;
  /** Shown as a short notice on screen too; otherwise announced to screen readers only. */
  visible: boolean;
}

/**
 * What changed between two snapshots, in words. Chat messages are announced (they are already
 * on screen in the panel, or counted on the chat button), not shown again.
 */
export function awarenessEvents(prev: RoomSnapshot | null, next: RoomSnapshot): AwarenessEvent[] {
  if (prev === null) return [];
  const events: AwarenessEvent[] = [];
  if (prev.phase !== next.phase) {
    if (next.phase === 'reconnecting') events.push({ text: 'Connection to the server lost, reconnecting', visible: false });
    else if (next.phase === 'failed') events.push({ text: 'Could not reconnect yet, still trying', visible: false });
    else if (next.phase === 'joined' && (prev.phase === 'reconnecting' || prev.phase === 'failed')) events.push({ text: 'Reconnected', visible: false });
  }
  const before = new Map(prev.remotes.map((r) => [r.id, r]));
  const after = new Set(next.remotes.map((r) => r.id));
  for (const r of next.remotes) {
    const was = before.get(r.id);
    if (!was) events.push({ text: `${r.name} joined`, visible: true });
    else if (r.media.hand === true && was.media.hand !== true) events.push({ text: `${r.name} raised their hand`, visible: true });
  }
  for (const r of prev.remotes) if (!after.has(r.id)) events.push({ text: `${r.name} left`, visible: true });
  const seen = new Set(prev.chat.messages.map((m) => m.id));
  for (const m of next.chat.messages) {
    if (!seen.has(m.id) && m.fromId !== null) events.push({ text: `Message from ${m.name}: ${m.text}`, visible: false });
  }
  return events;
}
