// Runtime validation of everything the server sends. The socket is an untrusted boundary:
// a message that does not match the contract is dropped here, so the rest of the app can
// rely on the static types in messages.ts.
import type {
  ErrorMessage,
  ForwardableTrack,
  ForwardedTrack,
  IceCandidateData,
  IceServersResponse,
  MediaState,
  PeerInfo,
  RoomMode,
  ServerMessage,
  SessionDescriptionData,
} from './messages';
import { chatText } from './chatText';
import { sanitizeDisplayName } from './displayName';

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

export function isMediaState(v: unknown): v is MediaState {
  return (
    isObject(v) &&
    typeof v.audio === 'boolean' &&
    typeof v.video === 'boolean' &&
    typeof v.screen === 'boolean'
  );
}

/** A copy with only the flags this client knows (the wire may carry others). */
export function copyMediaState(v: MediaState): MediaState {
  const out: MediaState = { audio: v.audio, video: v.video, screen: v.screen };
  const raw = v as unknown as Obj;
  if (typeof raw.hand === 'boolean') out.hand = raw.hand;
  if (typeof raw.recording === 'boolean') out.recording = raw.recording;
  if (typeof raw.e2ee === 'boolean') out.e2ee = raw.e2ee;
  return out;
}

/** Missing media means "unknown": assume on, as a peer that just joined normally is. */
const DEFAULT_MEDIA: MediaState = { audio: true, video: true, screen: false };

function toPeerInfo(v: unknown): PeerInfo | null {
  if (!isObject(v) || !isNonEmptyString(v.peerId)) return null;
  // Names are shown as typed text: stripped of control and bidi characters even if a server did not.
  const name = typeof v.name === 'string' ? sanitizeDisplayName(v.name) : '';
  const media = isMediaState(v.media) ? copyMediaState(v.media) : { ...DEFAULT_MEDIA };
  return { peerId: v.peerId, name, media };
}

export function isSessionDescriptionData(v: unknown, type: 'offer' | 'answer'): v is SessionDescriptionData {
  return isObject(v) && v.type === type && isNonEmptyString(v.sdp);
}

export function isIceCandidateData(v: unknown): v is IceCandidateData {
  if (!isObject(v) || typeof v.candidate !== 'string') return false;
  if (v.sdpMid !== undefined && v.sdpMid !== null && typeof v.sdpMid !== 'string') return false;
  if (
    v.sdpMLineIndex !== undefined &&
    v.sdpMLineIndex !== null &&
    (typeof v.sdpMLineIndex !== 'number' || !Number.isInteger(v.sdpMLineIndex))
  )
    return false;
  return true;
}

export function isIceServer(v: unknown): v is RTCIceServer {
  if (!isObject(v)) return false;
  const urls = v.urls;
  const urlsOk = typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
  if (!urlsOk) return false;
  if (v.username !== undefined && typeof v.username !== 'string') return false;
  if (v.credential !== undefined && typeof v.credential !== 'string') return false;
  return true;
}

/**
 * The body of `GET /ice-servers` (docs/protocol.md): `{"iceServers": [...], "iceTransportPolicy"}`.
 * Null when it is anything else. Each server is copied down to urls/username/credential.
 */
export function parseIceServersResponse(raw: unknown): IceServersResponse | null {
  if (!isObject(raw) || !Array.isArray(raw.iceServers)) return null;
  const iceServers: RTCIceServer[] = [];
  for (const v of raw.iceServers) {
    if (!isIceServer(v)) return null;
    const server: RTCIceServer = { urls: Array.isArray(v.urls) ? [...v.urls] : v.urls };
    if (v.username !== undefined) server.username = v.username;
    if (v.credential !== undefined) server.credential = v.credential;
    iceServers.push(server);
  }
  const policy = raw.iceTransportPolicy;
  return policy === 'relay' || policy === 'all' ? { iceServers, iceTransportPolicy: policy } : { iceServers };
}

function isRoomMode(v: unknown): v is RoomMode {
  return v === 'mesh' || v === 'sfu';
}

function toForwardableTrack(v: unknown): ForwardableTrack | null {
  if (!isObject(v) || !isNonEmptyString(v.peerId)) return null;
  const source = v.source;
  if (source !== 'microphone' && source !== 'camera' && source !== 'screen') return null;
  return { peerId: v.peerId, source };
}

function toForwardedTrack(v: unknown): ForwardedTrack | null {
  const track = toForwardableTrack(v);
  return track && isObject(v) && isNonEmptyString(v.mid) ? { mid: v.mid, ...track } : null;
}

/** Every element converted, or null when one does not fit (the whole message is then dropped). */
function listOf<T>(v: unknown, convert: (item: unknown) => T | null): T[] | null {
  if (!Array.isArray(v)) return null;
  const out: T[] = [];
  for (const item of v) {
    const converted = convert(item);
    if (!converted) return null;
    out.push(converted);
  }
  return out;
}

/** Parses one text frame. Returns null for anything outside the contract. */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  return toServerMessage(raw);
}

/**
 * `peer-unreachable` (docs/protocol.md): a message of ours to `targetId` was refused because the
 * server instance that peer is on could not be reached in time. The negotiation with that peer
 * is worth retrying; the call goes on.
 */
export function isPeerUnreachable(msg: ServerMessage): msg is ErrorMessage & { targetId: string } {
  return msg.type === 'error' && msg.code === 'peer-unreachable' && isNonEmptyString(msg.targetId);
}

export function toServerMessage(raw: unknown): ServerMessage | null {
  if (!isObject(raw) || typeof raw.type !== 'string') return null;
  const timestamp = typeof raw.timestamp === 'number' ? raw.timestamp : undefined;
  const peerId = raw.peerId;
  const data = raw.data;
  switch (raw.type) {
    case 'room-joined': {
      if (!isNonEmptyString(peerId)) return null;
      const peersRaw = isObject(data) && Array.isArray(data.peers) ? data.peers : [];
      const peers: PeerInfo[] = [];
      for (const p of peersRaw) {
        const info = toPeerInfo(p);
        if (!info) return null;
        peers.push(info);
      }
      const resumeToken = isObject(data) && isNonEmptyString(data.resumeToken) ? data.resumeToken : undefined;
      const iceServers =
        isObject(data) && Array.isArray(data.iceServers) && data.iceServers.every(isIceServer)
          ? data.iceServers
          : undefined;
      const policy = isObject(data) ? data.iceTransportPolicy : undefined;
      const iceTransportPolicy = policy === 'relay' || policy === 'all' ? policy : undefined;
      // Beside `type` like room-mode's; also taken from `data`, where room-joined keeps the rest.
      const mode = raw.mode ?? (isObject(data) ? data.mode : undefined);
      if (mode !== undefined && !isRoomMode(mode)) return null;
      const ownName = isObject(data) && typeof data.name === 'string' ? sanitizeDisplayName(data.name) : '';
      return {
        type: 'room-joined',
        roomId: typeof raw.roomId === 'string' ? raw.roomId : undefined,
        peerId,
        data: ownName ? { peers, resumeToken, iceServers, iceTransportPolicy, name: ownName } : { peers, resumeToken, iceServers, iceTransportPolicy },
        mode: mode ?? 'mesh',
        timestamp,
      };
    }
    case 'room-mode':
      return isRoomMode(raw.mode) ? { type: 'room-mode', mode: raw.mode, timestamp } : null;
    case 'sfu-answer': {
      const tracks = listOf(raw.tracks ?? [], toForwardedTrack);
      if (!isNonEmptyString(raw.sdp) || !raw.sdp.startsWith('v=0') || !tracks) return null;
      return { type: 'sfu-answer', sdp: raw.sdp, tracks, timestamp };
    }
    case 'sfu-tracks': {
      const tracks = listOf(raw.tracks, toForwardableTrack);
      return tracks ? { type: 'sfu-tracks', tracks, timestamp } : null;
    }
    case 'active-speaker': {
      const level = typeof raw.level === 'number' && Number.isFinite(raw.level) ? Math.min(1, Math.max(0, raw.level)) : 0;
      return isNonEmptyString(peerId) ? { type: 'active-speaker', peerId, level, timestamp } : null;
    }
    case 'sfu-forwarding': {
      const video = listOf(raw.video, toForwardableTrack);
      return video ? { type: 'sfu-forwarding', video, timestamp } : null;
    }
    case 'sfu-closed':
      return { type: 'sfu-closed', reason: typeof raw.reason === 'string' ? raw.reason : '', timestamp };
    case 'sfu-encodings': {
      const active = Array.isArray(raw.active) && raw.active.every((r): r is string => typeof r === 'string') ? raw.active : null;
      if ((raw.source !== 'camera' && raw.source !== 'screen') || !active) return null;
      return { type: 'sfu-encodings', source: raw.source, active, timestamp };
    }
    case 'chat': {
      // The sender is `from`; `peerId`, where every relayed message carries it, is taken too.
      const from = raw.from ?? peerId;
      const text = chatText(raw.text);
      if (!isNonEmptyString(from) || !text) return null;
      return { type: 'chat', from, text, timestamp };
    }
    case 'peer-joined': {
      if (!isNonEmptyString(peerId)) return null;
      const name = isObject(data) && typeof data.name === 'string' ? sanitizeDisplayName(data.name) : '';
      const media = isObject(data) && isMediaState(data.media) ? copyMediaState(data.media) : undefined;
      return { type: 'peer-joined', peerId, data: media ? { name, media } : { name }, timestamp };
    }
    case 'peer-left':
      if (!isNonEmptyString(peerId)) return null;
      return { type: 'peer-left', peerId, timestamp };
    case 'offer':
    case 'answer':
      if (!isNonEmptyString(peerId) || !isSessionDescriptionData(data, raw.type)) return null;
      return { type: raw.type, peerId, data: { type: data.type, sdp: data.sdp }, timestamp };
    case 'ice-candidate':
      if (!isNonEmptyString(peerId) || !isIceCandidateData(data)) return null;
      return {
        type: 'ice-candidate',
        peerId,
        data: { candidate: data.candidate, sdpMid: data.sdpMid ?? null, sdpMLineIndex: data.sdpMLineIndex ?? null },
        timestamp,
      };
    case 'media-state':
      if (!isNonEmptyString(peerId) || !isMediaState(data)) return null;
      return { type: 'media-state', peerId, data: copyMediaState(data), timestamp };
    case 'pong':
      return { type: 'pong', timestamp };
    case 'error': {
      const error: ErrorMessage = {
        type: 'error',
        code: typeof raw.code === 'string' ? raw.code : undefined,
        error: typeof raw.error === 'string' ? raw.error : 'unknown error',
        timestamp,
      };
      if (isNonEmptyString(raw.targetId)) error.targetId = raw.targetId;
      return error;
    }
    default:
      return null;
  }
}
