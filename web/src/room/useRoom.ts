// React bindings: components read immutable snapshots from Room / LocalMedia and call methods.
import { useSyncExternalStore } from 'react';
import type { LocalMedia, LocalMediaSnapshot } from '../rtc/media';
import type { Room, RoomSnapshot } from './Room';

export function useRoomSnapshot(room: Room): RoomSnapshot {
  return useSyncExternalStore(
    (fn) => room.subscribe(fn),
    () => room.snapshot,
  );
}

export function useLocalMedia(media: LocalMedia): LocalMediaSnapshot {
  return useSyncExternalStore(
    (fn) => media.subscribe(fn),
    () => media.snapshot,
  );
}
