// `/r/<roomId>`: lobby, then the call. Owns the LocalMedia (shared by lobby and call, so joining
// does not re-open the camera) and creates a Room per join attempt.
import { tokenDisplayName } from '../access/tokenClaims';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { CallView } from '../components/CallView';
import { Logo } from '../components/icons';
import { Lobby, type LobbyStatus } from '../components/Lobby';
import { isValidRoomId } from '../protocol/roomId';
import { LocalMedia } from '../rtc/media';
import { fetchIceServers } from '../rtc/iceCredentials';
import { browserPeerConnectionFactory } from '../rtc/peerConnectionLike';
import { loadPrefs } from '../prefs';
import { Room, type RoomSnapshot } from '../room/Room';
import { useLocalMedia } from '../room/useRoom';
import { navigate } from '../router';
import { SignalingClient, signalingUrl } from '../signaling/SignalingClient';
import { installTestHook } from '../testHook';
import { diagnoseRefusal, isAccessRefusalCode } from '../access/accessRefusal';
import { readLinkOptions } from '../access/linkOptions';
import { E2eeSession, browserTransformCtor, createFrameWorker } from '../e2ee/E2eeSession';
import { readLinkKey } from '../e2ee/roomKey';

export function RoomPage({ roomId }: { roomId: string }) {
  if (!isValidRoomId(roomId)) return <InvalidRoom roomId={roomId} />;
  const linkKey = readLinkKey(window.location.hash);
  if (linkKey.kind === 'invalid') return <E2eeUnavailable title="This link’s encryption key is damaged" detail="The part after #e2ee= is not a whole key. Ask for the invite link again and open it exactly as sent." />;
  if (linkKey.kind === 'key' && !browserTransformCtor()) return <E2eeUnavailable title="This browser cannot join an end-to-end encrypted call" detail="It cannot encrypt video frames (no RTCRtpScriptTransform). Open the link in a recent Chrome, Edge, Firefox or Safari." />;
  return <ValidRoom key={roomId} roomId={roomId} />;
}

/** A link with a key we cannot use: joining unencrypted would break the call's promise, so we do not. */
function E2eeUnavailable({ title, detail }: { title: string; detail: string }) {
  return (
    <CenteredCard>
      <div data-testid="e2ee-unavailable">
        <h1 className="text-xl font-semibold text-white">{title}</h1>
        <p className="mt-2 text-sm text-slate-400">{detail}</p>
      </div>
      <button type="button" onClick={() => navigate('/')} className="mt-6 rounded-xl bg-indigo-500 px-4 py-2.5 text-sm font-semibold text-white hover:bg-indigo-400">
        Go to the start page
      </button>
    </CenteredCard>
  );
}

/** Every call page has one: with the link's key it encrypts; without, it recognises encrypted members and drops their frames. */
function e2eeForLink(): E2eeSession {
  const linkKey = readLinkKey(window.location.hash);
  return new E2eeSession({ key: linkKey.kind === 'key' ? linkKey.bytes : null, createWorker: createFrameWorker, transformCtor: browserTransformCtor() });
}

function InvalidRoom({ roomId }: { roomId: string }) {
  return (
    <CenteredCard>
      <div data-testid="invalid-room-message">
        <h1 className="text-xl font-semibold text-white">That meeting link isn’t valid</h1>
        <p className="mt-2 text-sm text-slate-400">
          <span className="break-all font-mono text-slate-300">“{roomId || '(empty)'}”</span> is not a room code. Codes are 3–64 characters: letters, digits, “-” and “_”.
        </p>
      </div>
      <button type="button" onClick={() => navigate('/')} className="mt-6 rounded-xl bg-indigo-500 px-4 py-2.5 text-sm font-semibold text-white hover:bg-indigo-400">
        Go to the start page
      </button>
    </CenteredCard>
  );
}

function CenteredCard({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-full flex-col">
      <header className="px-6 py-5 text-lg text-white">
        <Logo />
      </header>
      <main className="grid flex-1 place-items-center px-6 pb-20">
        <div className="w-full max-w-md rounded-3xl bg-slate-900/70 p-8 text-center ring-1 ring-white/10">{children}</div>
      </main>
    </div>
  );
}

const IDLE: RoomSnapshot = {
  phase: 'idle',
  connection: 'idle',
  reconnectAttempt: 0,
  maxReconnectAttempts: 0,
  localId: null,
  localName: '',
  remotes: [],
  error: null,
  local: { hand: false, recording: false, screenTrack: null },
  activeSpeakerId: null,
  chat: { messages: [], unread: 0, open: false },
};
const getDisplayMedia = () => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
const noRoom = () => () => undefined;

function ValidRoom({ roomId }: { roomId: string }) {
  const [prefs] = useState(loadPrefs);
  const [media] = useState(() => new LocalMedia());
  const local = useLocalMedia(media);
  const [room, setRoom] = useState<Room | null>(null);
  const [name, setName] = useState(prefs.name);
  const started = useRef(false);
  const snap = useSyncExternalStore(room ? (fn) => room.subscribe(fn) : noRoom, () => (room ? room.snapshot : IDLE));

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    installTestHook(null, null);
    void media.start({ cameraId: prefs.cameraId, microphoneId: prefs.microphoneId }, prefs.speakerId ?? null).then(() => {
      if (prefs.audioEnabled === false) media.setEnabled('audio', false);
      if (prefs.videoEnabled === false) media.setEnabled('video', false);
    });
  }, [media, prefs]);

  // Leaving the page (route change or tab close) ends the call and releases the devices.
  useEffect(() => () => media.stop(), [media]);
  useEffect(() => {
    if (!room) return;
    const bye = () => room.leave();
    window.addEventListener('pagehide', bye);
    return () => {
      window.removeEventListener('pagehide', bye);
    };
  }, [room]);

  const join = (n: string) => {
    setName(n);
    room?.leave();
    const link = readLinkOptions(window.location.search);
    const signaling = new SignalingClient({
      url: signalingUrl(window.location, link.token),
      diagnoseRefusal: () => diagnoseRefusal((url) => fetch(url, { cache: 'no-store' }), link.token),
    });
    const r = new Room({
      roomId,
      name: n,
      signaling,
      media,
      createPeerConnection: browserPeerConnectionFactory,
      forceRelay: link.forceRelay,
      getDisplayMedia,
      fetchIceServers: () => fetchIceServers((url) => fetch(url, { cache: 'no-store' }), link.token),
      e2ee: e2eeForLink(),
    });
    installTestHook(r, signaling);
    setRoom(r);
    r.join();
  };

  const inCall = room && snap.localId !== null && (snap.phase === 'joined' || snap.phase === 'reconnecting' || snap.phase === 'failed');

  if (snap.phase === 'left') {
    return (
      <CenteredCard>
        <div data-testid="left-message">
          <h1 className="text-xl font-semibold text-white">You left the meeting</h1>
          <p className="mt-2 text-sm text-slate-400">Room <span className="font-mono text-slate-300">{roomId}</span></p>
        </div>
        <div className="mt-6 flex justify-center gap-3">
          <button type="button" data-testid="rejoin" onClick={() => join(name)} className="rounded-xl bg-indigo-500 px-4 py-2.5 text-sm font-semibold text-white hover:bg-indigo-400">
            Rejoin
          </button>
          <button type="button" onClick={() => navigate('/')} className="rounded-xl bg-white/5 px-4 py-2.5 text-sm font-semibold text-slate-200 hover:bg-white/10">
            Start page
          </button>
        </div>
      </CenteredCard>
    );
  }

  if (inCall && room) {
    return <CallView room={room} snap={snap} media={media} local={local} name={snap.localName || name || 'Guest'} />;
  }

  let status: LobbyStatus = { kind: 'ready' };
  if (snap.phase === 'full') status = { kind: 'room-full', message: snap.error?.message ?? '' };
  else if (snap.phase === 'rejected' && isAccessRefusalCode(snap.error?.code)) status = { kind: 'access-denied', code: snap.error.code };
  else if (snap.phase === 'rejected') status = { kind: 'rejected', message: snap.error?.message ?? '' };
  else if (snap.phase === 'failed') status = { kind: 'unreachable', attempt: snap.reconnectAttempt, max: snap.maxReconnectAttempts, gaveUp: true };
  else if (snap.connection === 'reconnecting') status = { kind: 'unreachable', attempt: snap.reconnectAttempt, max: snap.maxReconnectAttempts, gaveUp: false };
  else if (snap.phase === 'connecting') status = { kind: 'joining' };

  return <Lobby roomId={roomId} media={media} snap={local} initialName={name} tokenName={tokenDisplayName(readLinkOptions(window.location.search).token)} status={status} onJoin={join} onRetry={() => room?.retry()} />;
}
