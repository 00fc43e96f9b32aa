// What a tile shows: the video, or the avatar (initials) and why. The avatar covers a camera
// that is off, one that brings no picture, and, on the media server, one it does not forward to
// us now (last-N: not among the most recent speakers).

export type TileFace = 'video' | 'camera-off' | 'no-picture' | 'not-forwarded';

export function tileFace(p: { isLocal: boolean; cameraOn: boolean; forwarded: boolean; picture: boolean }): TileFace {
  if (!p.cameraOn) return 'camera-off';
  if (p.isLocal) return 'video';
  if (!p.forwarded) return 'not-forwarded';
  return p.picture ? 'video' : 'no-picture';
}
