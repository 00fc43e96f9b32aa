// How media travels between this browser and the others, behind one interface. Two
// implementations: the mesh (MeshTransport: one RTCPeerConnection per remote participant, chat on
// data channels) and, for rooms on the media server, one connection to the SFU. Room keeps the
// participants and the UI state, tells the transport who is in the room and what we send, and
// reads back what arrives; it never knows which implementation carries the call.
//
// A transport owns only its own connections and timers: while a room switches between mesh and
// media server two of them exist at once (the new one connects while the old one keeps playing),
// and Room chooses which one feeds the tiles (docs/architecture.md, "Browser client").
import type {
  ClientMessage,
  ErrorMessage,
  RelayedCandidateMessage,
  RelayedDescriptionMessage,
  ServerMessage,
  SfuAnswerMessage,
  SfuClosedMessage,
  SfuEncodingsMessage,
  SfuTracksMessage,
} from '../protocol/messages';
import type { ConnectIssue } from '../rtc/connectIssue';
import type { MediaKind } from '../rtc/peerConnectionLike';
import type { SendQuality } from '../rtc/sendPolicy';
import type { QualityMetrics, QualityPoint } from '../rtc/stats';

/**
 * The server refused our `sfu-offer`: the room is not on the media server (`media-unavailable`),
 * or the media server could not take the SDP (`invalid-sdp`).
 */
export type SfuOfferRefusal = ErrorMessage & { code: 'media-unavailable' | 'invalid-sdp' };

/**
 * Server messages addressed to whatever carries media: the negotiation relayed between peers
 * (the mesh's) and the media server's own (the SFU transport's).
 */
export type MediaMessage = RelayedDescriptionMessage | RelayedCandidateMessage | SfuAnswerMessage | SfuTracksMessage | SfuClosedMessage | SfuEncodingsMessage | SfuOfferRefusal;

export function isMediaMessage(msg: ServerMessage): msg is MediaMessage {
  switch (msg.type) {
    case 'offer':
    case 'answer':
    case 'ice-candidate':
    case 'sfu-answer':
    case 'sfu-tracks':
    case 'sfu-closed':
    case 'sfu-encodings':
      return true;
    case 'error':
      return msg.code === 'media-unavailable' || msg.code === 'invalid-sdp';
    default:
      return false;
  }
}

/** Sends a transport's own signaling on the room's socket; false while the socket is down. */
export type SendSignal = (msg: ClientMessage) => boolean;

/** What room-joined says about the connections made from now on. */
export interface TransportSettings {
  /** Our peer id (a rejoin without resume brings a new one). */
  localId: string;
  iceServers: RTCIceServer[];
  /** 'relay': TURN only (the server's ICE_TRANSPORT_POLICY or the link's ?relay=1). */
  iceTransportPolicy: RTCIceTransportPolicy;
}

/** A shared screen: the capture's video track and the stream it came in. */
export interface ScreenShare {
  track: MediaStreamTrack;
  stream: MediaStream;
}

/** One remote participant's media as a transport receives it: what the tiles and the quality panel show. */
export interface RemoteMedia {
  readonly audioTrack: MediaStreamTrack | null;
  readonly videoTrack: MediaStreamTrack | null;
  /** Their shared screen once received (Room shows it while their media-state says they share). */
  readonly screenTrack: MediaStreamTrack | null;
  /** The connection that carries it: ours to them (mesh), or ours to the media server. */
  readonly connectionState: RTCPeerConnectionState;
  /** Why that connection does not come up; null while fine or still trying. */
  readonly connectIssue: ConnectIssue | null;
  /** What our camera may send them (bandwidth adaptation); null until applied. */
  readonly sendQuality: SendQuality | null;
  readonly metrics: QualityMetrics;
  readonly history: readonly QualityPoint[];
}

/** What a transport tells Room. Room gives each transport its own, so it knows which one spoke. */
export interface MediaTransportEvents {
  /**
   * Something `remote(peerId)` shows changed: a track appeared or went away, the connection's
   * state, its diagnosis, or what we send on it.
   */
  remoteChanged(peerId: string): void;
  /** A chat message from a remote, already checked: plain text, not empty, not too long. */
  chatReceived(peerId: string, text: string): void;
}

/**
 * Whatever carries the call's media. Local tracks are read when a connection is made (each
 * implementation is built with a way to read them); later changes arrive through replaceTrack
 * and setScreenShare, never through a renegotiation Room asks for.
 */
export interface MediaTransport {
  // ---- the room: Room says who is there, the transport decides what that means for media ----

  /** Every room-joined (the first and each rejoin). Connections still open keep their settings. */
  start(settings: TransportSettings): void;
  /**
   * A remote is in the room. `joinedAfterUs`: it came after us (peer-joined, or met for the first
   * time after a resume), so in the mesh we make the offer; otherwise we wait for its offer. For a
   * remote already known (it joined anew), whatever carried its media starts over.
   */
  addPeer(peerId: string, joinedAfterUs: boolean): void;
  /** It left, or Room gave up on it: close what carries its media. */
  removePeer(peerId: string): void;
  /** The user asked to retry a remote we cannot connect to: a fresh connection. */
  reconnectPeer(peerId: string): void;
  /**
   * The server could not deliver a message of ours to this remote in time (`peer-unreachable`,
   * docs/protocol.md): re-send what the other side may be waiting for.
   */
  peerUnreachable(peerId: string): void;
  /** A server message addressed to media; one that is not for this transport is ignored. */
  handleMessage(msg: MediaMessage): void;

  // ---- what we send ----

  /** A camera or microphone was switched (null: it went away): send the new track without renegotiating. */
  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void;
  /** Starts (share) or stops (null) sending a shared screen to everyone. */
  setScreenShare(share: ScreenShare | null): void;
  /**
   * Our pin (null: none), for a transport that tells the server what it forwards (the media
   * server's last-N). Sent each call, so a caller may repeat it while the server has not honoured it.
   */
  setPinned?(peerId: string | null): void;
  /** Sends a chat message to everyone; returns the remotes it reached. */
  sendChat(text: string): ReadonlySet<string>;

  // ---- what we receive and measure ----

  /** A remote's media; null for a remote this transport does not know. */
  remote(peerId: string): RemoteMedia | null;
  /**
   * Samples every connection's statistics (the quality panel) and re-decides what we send on each
   * (bandwidth adaptation). True when anything `remote()` shows changed. Room calls it on a timer.
   */
  measure(): Promise<boolean>;
  /**
   * How many video frames from this remote's camera were decoded so far (0 while none, or for a
   * remote this transport does not know): Room switches transports only once the new one shows
   * pictures.
   */
  framesDecoded(peerId: string): Promise<number>;
  /** The audio level (0..1) of each of these remotes since the previous call, for the active speaker. */
  audioLevels(peerIds: readonly string[]): Promise<Map<string, number>>;
  /** For the test hook: remote id -> the RTCPeerConnection that carries its media. */
  connections(): Map<string, unknown>;
  /** For the test hook: remote id -> the mids of our m-lines that carry its tracks (media server; the mesh: none). */
  receivedMids(): Map<string, string[]>;

  // ---- ICE ----

  /**
   * Fresh TURN credentials: every open connection takes them and restarts ICE (new relay
   * allocations), and connections made later use them.
   */
  renewIceServers(iceServers: RTCIceServer[]): void;
  /** True while a connection is open: it keeps the ICE servers it was made with until renewed. */
  hasOpenConnections(): boolean;

  /**
   * The tiles read another transport now (the end of a move); this one lingers, sending for
   * members whose tiles still read it, until close(). It may end what nobody needs any more.
   */
  lingerAfterMove?(): void;

  /** Closes every connection and stops every timer; the transport is not used again. */
  close(): void;
}
