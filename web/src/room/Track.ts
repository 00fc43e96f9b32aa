// A media track as the UI sees it: what it is (camera/microphone) plus the browser track.
import type { MediaKind } from '../rtc/peerConnectionLike';

export type TrackSource = 'camera' | 'microphone';

export class Track {
  constructor(
    readonly kind: MediaKind,
    readonly mediaStreamTrack: MediaStreamTrack,
  ) {}

  get source(): TrackSource {
    return this.kind === 'audio' ? 'microphone' : 'camera';
  }
}
