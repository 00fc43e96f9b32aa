// In the call: the tile grid, the control bar, connection banner, settings and quality panels.
import { E2eeIndicator, E2eeMissingKeyBanner } from './E2eeNotices';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type PointerEvent as ReactPointerEvent, type ReactNode, type RefObject } from 'react';
import { CallRecorder, downloadRecording } from '../room/CallRecorder';
import { isAudioBlocked, subscribeAudioBlocked, unlockAudio } from '../audioUnlock';
import type { LocalMedia, LocalMediaSnapshot } from '../rtc/media';
import type { Room, RoomSnapshot } from '../room/Room';
import { copyInviteLink, TOKEN_WITHHELD_MESSAGE } from '../access/copyInvite';
import { participantRows, raisedHandOrder, raisedIds } from '../room/awareness';
import { connectIssueMessage } from '../rtc/connectIssue';
import { savePrefs } from '../prefs';
import { CamIcon, CamOffIcon, ChartIcon, ChatIcon, CheckIcon, EyeOffIcon, GridIcon, RecordIcon, GearIcon, HandIcon, LeaveIcon, LinkIcon, Logo, MicIcon, MicOffIcon, ScreenIcon, SpeakerIcon, SpeakerViewIcon, UsersIcon } from './icons';
import { GridPager } from './GridPager';
import { bestColumns, chooseLayout, clampInset, defaultInset, gridPage, gridPageSize, gridTileSize, insetSize, type Point, type Size, type ViewMode } from './layout';
import { ChatPanel } from './ChatPanel';
import { ScreenTile } from './ScreenTile';
import { SettingsDialog } from './SettingsDialog';
import { ParticipantsPanel } from './ParticipantsPanel';
import { ShortcutsDialog } from './ShortcutsDialog';
import { Awareness } from './Awareness';
import { AloneCard } from './AloneCard';
import { QualityPanel } from './QualityPanel';
import { MoreMenu, type ToolbarAction } from './MoreMenu';
import { RoundButton } from './RoundButton';
import { VideoTile } from './VideoTile';

// Phones (and narrow windows): Mute, Camera, Chat and Leave in the toolbar, the rest under "More";
// chat and the quality panel as full-screen sheets; a shared screen on top, people below.
const narrowQuery = window.matchMedia('(max-width: 640px)');
/** No getDisplayMedia (phone browsers): no screen-share button at all. */
const canShareScreen = typeof navigator.mediaDevices?.getDisplayMedia === 'function';
function subscribeNarrow(fn: () => void): () => void {
  narrowQuery.addEventListener('change', fn);
  return () => narrowQuery.removeEventListener('change', fn);
}

/** The size of `ref`'s element, kept current (the tiles' area: what the layout is chosen for). */
function useElementSize(ref: RefObject<HTMLElement | null>): Size {
  const [size, setSize] = useState<Size>({ width: window.innerWidth, height: window.innerHeight * 0.7 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setSize({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

export function CallView({ room, snap, media, local, name }: { room: Room; snap: RoomSnapshot; media: LocalMedia; local: LocalMediaSnapshot; name: string }) {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [statsOpen, setStatsOpenState] = useState(false);
  const [peopleOpen, setPeopleOpenState] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  // Raised hands in the order they went up (the snapshot only says who has one up now).
  const raisedNow = raisedIds(snap).join(' ');
  const [hands, setHands] = useState({ raised: '', order: [] as string[] });
  if (hands.raised !== raisedNow) setHands({ raised: raisedNow, order: raisedHandOrder(hands.order, raisedNow === '' ? [] : raisedNow.split(' ')) });
  const handOrder = hands.order;
  const chatOpen = snap.chat.open;
  const stage = useRef<HTMLElement>(null);
  const tileArea = useRef<HTMLDivElement>(null);
  const area = useElementSize(tileArea);
  const [viewMode, setViewMode] = useState<ViewMode>('speaker');
  const [pinnedId, setPinnedId] = useState<string | null>(null);
  // The media server keeps a pinned person's camera coming whatever last-N says.
  useEffect(() => room.setPinned(pinnedId), [room, pinnedId]);
  const [gridPageIndex, setGridPageIndex] = useState(0);
  const [selfHidden, setSelfHidden] = useState(false);
  // Who spoke last: stays large in speaker view while nobody speaks (state adjusted in render).
  const [lastSpeakerId, setLastSpeakerId] = useState<string | null>(null);
  if (snap.activeSpeakerId !== null && snap.activeSpeakerId !== lastSpeakerId) setLastSpeakerId(snap.activeSpeakerId);
  const recorder = useRef<CallRecorder | null>(null);
  // Latest tracks for the recorder's audio mix, read on every recorded frame.
  const audioTracks = useRef<MediaStreamTrack[]>([]);
  useEffect(() => {
    audioTracks.current = [local.audioTrack, ...snap.remotes.map((r) => r.audioTrack)].filter((t): t is MediaStreamTrack => t !== null);
  }, [local.audioTrack, snap.remotes]);
  // Leaving the call mid-recording still hands over what was recorded.
  useEffect(
    () => () => {
      const rec = recorder.current;
      recorder.current = null;
      if (rec?.recording) void rec.stop().then((blob) => downloadRecording(blob, room.roomId));
    },
    [room],
  );
  // One side panel at a time: opening one closes the others.
  const setChatOpen = useCallback(
    (open: boolean) => {
      if (open) {
        setStatsOpenState(false);
        setPeopleOpenState(false);
      }
      room.setChatOpen(open);
    },
    [room],
  );
  const setStatsOpen = useCallback(
    (open: boolean) => {
      if (open) {
        room.setChatOpen(false);
        setPeopleOpenState(false);
      }
      setStatsOpenState(open);
    },
    [room],
  );
  const setPeopleOpen = useCallback(
    (open: boolean) => {
      if (open) {
        room.setChatOpen(false);
        setStatsOpenState(false);
      }
      setPeopleOpenState(open);
    },
    [room],
  );
  // After joining, the call's main region has the focus (screen readers start there).
  useEffect(() => stage.current?.focus(), []);
  const [copied, setCopied] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const audioBlocked = useSyncExternalStore(subscribeAudioBlocked, isAudioBlocked);
  const narrow = useSyncExternalStore(subscribeNarrow, () => narrowQuery.matches);

  const toggleAudio = useCallback(() => {
    media.setEnabled('audio', !media.snapshot.audioEnabled);
    savePrefs({ audioEnabled: media.snapshot.audioEnabled });
  }, [media]);
  const toggleVideo = useCallback(() => {
    media.setEnabled('video', !media.snapshot.videoEnabled);
    savePrefs({ videoEnabled: media.snapshot.videoEnabled });
  }, [media]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if (e.key === 'm' || e.key === 'M') toggleAudio();
      else if (e.key === 'v' || e.key === 'V') toggleVideo();
      else if (e.key === 'h' || e.key === 'H') room.setHand(!room.snapshot.local.hand);
      else if (e.key === '?') setShortcutsOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleAudio, toggleVideo, room]);

  // Device notices (unplugged camera etc.) show as a toast for a few seconds.
  useEffect(() => {
    if (!local.notice) return;
    const h = setTimeout(() => media.clearNotice(), 6000);
    return () => clearTimeout(h);
  }, [local.notice, media]);
  const showError = useCallback((msg: string) => {
    setToast(msg);
    setTimeout(() => setToast(null), 6000);
  }, []);
  const notice = toast ?? local.notice;

  const copyLink = async () => {
    const { personalTokenWithheld } = await copyInviteLink(room.roomId);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
    if (personalTokenWithheld) showError(TOKEN_WITHHELD_MESSAGE);
  };

  const toggleRecording = () => {
    const rec = recorder.current;
    if (rec?.recording) {
      recorder.current = null;
      room.setRecording(false);
      void rec.stop().then((blob) => downloadRecording(blob, room.roomId));
      return;
    }
    try {
      const next = new CallRecorder({ stage: () => stage.current, audioTracks: () => audioTracks.current });
      next.start();
      recorder.current = next;
      room.setRecording(true);
    } catch {
      showError('Recording is not available in this browser.');
    }
  };

  const toggleScreen = () => {
    if (snap.local.screenTrack) room.stopScreenShare();
    else room.startScreenShare().catch((err: unknown) => showError(err instanceof Error && err.name === 'NotAllowedError' ? 'Screen sharing was cancelled.' : 'Screen sharing is not available here.'));
  };

  const screens = [
    ...(snap.local.screenTrack ? [{ id: snap.localId ?? 'local', name, track: snap.local.screenTrack, isLocal: true }] : []),
    ...snap.remotes.flatMap((r) => (r.screenTrack ? [{ id: r.id, name: r.name, track: r.screenTrack, isLocal: false }] : [])),
  ];
  const presenting = screens.length > 0;
  const recordingBy = [...(snap.local.recording ? ['You'] : []), ...snap.remotes.filter((r) => r.media.recording).map((r) => r.name)];
  const count = snap.remotes.length + 1;
  const localId = snap.localId ?? 'local';
  const layout = chooseLayout({
    localId,
    remoteIds: snap.remotes.map((r) => r.id),
    activeSpeakerId: snap.activeSpeakerId,
    pinnedId,
    mode: viewMode,
    selfHidden,
    presenting,
    stage: presenting ? { width: window.innerWidth, height: window.innerHeight } : area,
    lastSpeakerId,
  });
  // On a phone a shared screen goes on top at full width and the people share what is below it
  // as a normal grid; on wider screens the people are a column beside the screen.
  const tileStrip = presenting && !narrow;
  const { columns: cols, rows } = layout;
  const togglePin = (id: string) => setPinnedId((cur) => (cur === id ? null : id));
  const tileFor = (id: string, compact = false): ReactNode => {
    if (id === localId) {
      return <VideoTile peerId={localId} name={name} isLocal videoTrack={local.videoTrack} audioTrack={null} audioOn={local.audioEnabled} videoOn={local.videoEnabled} hand={snap.local.hand} compact={compact} onHideSelf={() => setSelfHidden(true)} />;
    }
    const r = snap.remotes.find((x) => x.id === id);
    if (!r) return null;
    return (
      <VideoTile
        peerId={r.id}
        name={r.name}
        isLocal={false}
        videoTrack={r.videoTrack}
        audioTrack={r.audioTrack}
        audioOn={r.media.audio}
        videoOn={r.media.video}
        videoForwarded={r.videoForwarded}
        level={r.level}
        connectionState={r.connectionState}
        speakerId={local.speakerId}
        onShowStats={() => setStatsOpen(true)}
        speaking={snap.activeSpeakerId === r.id}
        hand={r.media.hand === true}
        compact={compact}
        pinned={pinnedId === r.id}
        onTogglePin={() => togglePin(r.id)}
        e2eeProblem={r.e2ee}
      />
    );
  };
  // The grid pages through people beyond what fits at a readable size; the pager takes a row.
  const paged = gridPage(layout.kind === 'grid' ? layout.tiles : [], gridPageIndex, gridPageSize(area));
  const paging = layout.kind === 'grid' && paged.pages > 1;
  const gridArea = paging ? { width: area.width, height: Math.max(0, area.height - 52) } : area;
  const gridCols = paging ? bestColumns(paged.items.length, gridArea) : cols;
  const gridRows = paging ? Math.max(1, Math.ceil(paged.items.length / gridCols)) : rows;
  const gridTile = gridTileSize(paging ? paged.items.length : layout.tiles.length, gridCols, gridRows, gridArea);
  const tiles = (paging ? paged.items : layout.tiles).map((id) => ({ key: id, node: tileFor(id, layout.kind === 'speaker') }));
  const localSettings = local.videoTrack?.getSettings();
  const localAspect = localSettings?.width && localSettings.height ? localSettings.width / localSettings.height : 16 / 9;

  const viewAction: ToolbarAction =
    viewMode === 'speaker'
      ? { testid: 'toggle-view', label: 'Grid view', icon: <GridIcon className="h-5 w-5" />, onClick: () => setViewMode('grid') }
      : { testid: 'toggle-view', label: 'Speaker view', icon: <SpeakerViewIcon className="h-5 w-5" />, onClick: () => setViewMode('speaker') };
  const selfViewAction: ToolbarAction = selfHidden
    ? { testid: 'toggle-self-view', label: 'Show self-view', icon: <EyeOffIcon className="h-5 w-5" />, active: true, pressed: true, onClick: () => setSelfHidden(false) }
    : { testid: 'toggle-self-view', label: 'Hide self-view', icon: <EyeOffIcon className="h-5 w-5" />, pressed: false, onClick: () => setSelfHidden(true) };

  // Beside Mute and Camera on wide screens (before and after Chat); under "More" on narrow ones.
  const leading: ToolbarAction[] = [
    ...(canShareScreen
      ? [{ testid: 'toggle-screen', label: snap.local.screenTrack ? 'Stop presenting' : 'Present your screen', icon: <ScreenIcon className="h-5 w-5" />, active: snap.local.screenTrack !== null, pressed: snap.local.screenTrack !== null, onClick: toggleScreen }]
      : []),
    { testid: 'toggle-hand', label: snap.local.hand ? 'Lower hand' : 'Raise hand', icon: <HandIcon className="h-5 w-5" />, active: snap.local.hand, pressed: snap.local.hand, shortcut: 'H', onClick: () => room.setHand(!snap.local.hand) },
  ];
  const trailing: ToolbarAction[] = [
    {
      testid: 'toggle-record',
      label: snap.local.recording ? 'Stop recording and download' : 'Record the call',
      icon: <RecordIcon className={`h-5 w-5 ${snap.local.recording ? 'animate-pulse' : ''}`} />,
      off: snap.local.recording,
      pressed: snap.local.recording,
      onClick: toggleRecording,
    },
    { testid: 'open-settings', label: 'Device settings', icon: <GearIcon className="h-5 w-5" />, onClick: () => setSettingsOpen(true) },
    { testid: 'toggle-stats', label: 'Connection quality', icon: <ChartIcon className="h-5 w-5" />, active: statsOpen, onClick: () => setStatsOpen(!statsOpen) },
    { testid: 'copy-link', label: copied ? 'Link copied' : 'Copy invite link', icon: copied ? <CheckIcon className="h-5 w-5" /> : <LinkIcon className="h-5 w-5" />, active: copied, onClick: () => void copyLink() },
  ];

  return (
    <div data-testid="call" data-phase={snap.phase} className="flex h-full flex-col">
      <header className="flex items-center gap-2 px-3 py-3 sm:gap-3 sm:px-5">
        <Logo className="shrink-0 text-white" compact />
        <span className="mx-1 h-5 w-px shrink-0 bg-white/10" />
        <h1 className="sr-only">Call in room {room.roomId}</h1>
        <button type="button" data-testid="room-code" onClick={() => void copyLink()} title="Copy the invite link" aria-label={copied ? `Room ${room.roomId}: link copied` : `Room ${room.roomId}: copy the invite link`} className="min-w-0 truncate rounded font-mono text-sm text-slate-300 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400">
          {room.roomId}
        </button>
        <button type="button" data-testid="participant-count" onClick={() => setPeopleOpen(!peopleOpen)} aria-expanded={peopleOpen} aria-label={`People in the call: ${count}`} className={`inline-flex min-h-8 shrink-0 items-center gap-1.5 rounded-full px-2.5 py-1 text-xs ring-1 ring-white/10 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 ${peopleOpen ? 'bg-indigo-500 text-white' : 'bg-white/5 text-slate-300 hover:bg-white/10'}`}>
          <UsersIcon className="h-3.5 w-3.5" />
          {count}
        </button>
        <E2eeIndicator encrypting={snap.e2ee?.encrypting === true} />
        {recordingBy.length > 0 && (
          <span data-testid="recording-indicator" title={`Recording: ${recordingBy.join(', ')}`} className="inline-flex min-w-0 shrink items-center gap-1.5 rounded-full bg-rose-500/15 px-2.5 py-1 text-xs font-medium text-rose-200 ring-1 ring-rose-500/30">
            <span className="h-2 w-2 animate-pulse rounded-full bg-rose-500" />
            <span className="truncate">REC · {recordingBy.join(', ')}</span>
          </span>
        )}
        <span className="flex-1" />
        {!narrow && (
          <span className="flex shrink-0 items-center gap-2">
            {[viewAction, selfViewAction].map((a) => (
              <button
                key={a.testid}
                type="button"
                data-testid={a.testid}
                aria-pressed={a.pressed}
                onClick={a.onClick}
                className={`inline-flex items-center gap-1.5 rounded-full px-3 py-1.5 text-xs font-medium ring-1 transition ${a.active ? 'bg-indigo-500 text-white ring-indigo-400' : 'bg-white/5 text-slate-200 ring-white/10 hover:bg-white/10'}`}
              >
                {a.icon}
                {a.label}
              </button>
            ))}
          </span>
        )}
        <ConnectionBadge snap={snap} />
      </header>

      <E2eeMissingKeyBanner missingKey={snap.e2ee?.missingKey === true} />
      {(snap.phase === 'reconnecting' || snap.phase === 'failed') && (
        <div data-testid="connection-banner" data-state={snap.phase} className={`mx-3 mb-3 flex items-center gap-3 rounded-xl px-4 py-2.5 text-sm ring-1 sm:mx-5 ${snap.phase === 'failed' ? 'bg-rose-500/10 text-rose-100 ring-rose-500/30' : 'bg-amber-500/10 text-amber-100 ring-amber-500/30'}`}>
          {snap.phase === 'reconnecting' ? (
            <>
              <span className="h-3 w-3 animate-spin rounded-full border-2 border-amber-200 border-t-transparent" />
              <span>
                Connection to the server lost — reconnecting (attempt {Math.max(1, snap.reconnectAttempt)} of {snap.maxReconnectAttempts}). Your call continues meanwhile.
              </span>
            </>
          ) : (
            <>
              <span>Couldn’t reconnect to the server yet; still trying in the background. Media already flowing keeps flowing, but nobody new can join you.</span>
              <button type="button" data-testid="retry-button" onClick={() => room.retry()} className="ml-auto rounded-lg bg-white/10 px-3 py-1.5 font-medium text-white hover:bg-white/20">
                Retry
              </button>
            </>
          )}
        </div>
      )}

      {snap.remotes
        .filter((r) => r.connectIssue !== null)
        .map((r) => (
          <div key={r.id} data-testid="peer-connect-issue" data-peer={r.id} data-kind={r.connectIssue?.kind} className="mx-3 mb-3 flex items-center gap-3 rounded-xl bg-rose-500/10 px-4 sm:mx-5 py-2.5 text-sm text-rose-100 ring-1 ring-rose-500/30">
            <span>{r.connectIssue && connectIssueMessage(r.connectIssue, r.name)}</span>
            <button type="button" data-testid="peer-retry-button" onClick={() => room.retryPeer(r.id)} className="ml-auto shrink-0 rounded-lg bg-white/10 px-3 py-1.5 font-medium text-white hover:bg-white/20">
              Retry
            </button>
          </div>
        ))}

      <main ref={stage} tabIndex={-1} aria-label="Call" className={`relative flex min-h-0 flex-1 gap-3 px-3 outline-none sm:px-5 ${narrow ? 'flex-col' : ''}`}>
        {/* Flex-wrap rather than CSS grid so a last, incomplete row is centred. */}
        {presenting && (
          <div
            data-testid="screen-stage"
            className={`flex min-h-0 min-w-0 flex-col gap-3 ${narrow ? 'w-full shrink-0' : 'flex-[3]'}`}
            style={narrow ? { aspectRatio: `16 / ${9 * screens.length}`, maxHeight: '60%' } : undefined}
          >
            {screens.map((sc) => (
              <div key={sc.id} className="min-h-0 flex-1">
                <ScreenTile track={sc.track} name={sc.name} peerId={sc.id} isLocal={sc.isLocal} />
              </div>
            ))}
          </div>
        )}
        {presenting ? (
          <div data-testid="tile-grid" className={`flex min-h-0 min-w-0 flex-wrap content-center justify-center gap-3 ${tileStrip ? 'w-56 shrink-0 flex-col flex-nowrap overflow-y-auto' : 'flex-1'}`}>
            {tiles.map((t) => (
              <div
                key={t.key}
                className="min-h-0"
                style={tileStrip ? { width: '100%', aspectRatio: '16 / 10', flexShrink: 0 } : { width: `calc((100% - ${(cols - 1) * 0.75}rem) / ${cols})`, height: `calc((100% - ${(rows - 1) * 0.75}rem) / ${rows})` }}
              >
                {t.node}
              </div>
            ))}
          </div>
        ) : (
          <div ref={tileArea} data-testid="tile-area" data-layout={layout.kind} className="relative min-h-0 min-w-0 flex-1">
            {layout.kind === 'grid' ? (
              <div className="flex h-full flex-col">
                <div data-testid="tile-grid" data-columns={gridCols} data-page={paged.page} className="flex min-h-0 flex-1 flex-wrap content-center justify-center gap-3">
                  {tiles.map((t) => (
                    <div key={t.key} className="min-h-0" style={gridTile}>
                      {t.node}
                    </div>
                  ))}
                </div>
                {paging && <GridPager page={paged.page} pages={paged.pages} onPage={setGridPageIndex} />}
              </div>
            ) : (
              <div data-testid="speaker-view" data-strip={layout.stripSide} className={`flex h-full gap-3 ${layout.stripSide === 'right' ? 'flex-row' : 'flex-col'}`}>
                <div data-testid="main-tile" data-peer-id={layout.main ?? undefined} className="min-h-0 min-w-0 flex-1">
                  {layout.main && tileFor(layout.main)}
                </div>
                {tiles.length > 0 && (
                  <div data-testid="tile-strip" className={`flex shrink-0 gap-3 ${layout.stripSide === 'right' ? 'w-52 flex-col overflow-y-auto' : 'h-24 flex-row overflow-x-auto sm:h-32'}`}>
                    {tiles.map((t) => (
                      <div key={t.key} className="shrink-0" style={layout.stripSide === 'right' ? { width: '100%', aspectRatio: '16 / 10' } : { height: '100%', aspectRatio: '4 / 3' }}>
                        {t.node}
                      </div>
                    ))}
                  </div>
                )}
              </div>
            )}
            {layout.inset && (
              <SelfInset area={area} size={insetSize(area, localAspect)}>
                {tileFor(layout.inset, true)}
              </SelfInset>
            )}
          </div>
        )}
        {snap.remotes.length === 0 && snap.phase === 'joined' && (
          <div className="pointer-events-none absolute inset-x-3 bottom-3 z-10 flex justify-center">
            <AloneCard roomId={room.roomId} onTokenWithheld={() => showError(TOKEN_WITHHELD_MESSAGE)} />
          </div>
        )}
        {peopleOpen && <ParticipantsPanel rows={participantRows(snap, { name, audio: local.audioEnabled, video: local.videoEnabled }, handOrder)} onClose={() => setPeopleOpen(false)} sheet={narrow} />}
        {statsOpen && <QualityPanel remotes={snap.remotes} onClose={() => setStatsOpen(false)} sheet={narrow} />}
        {chatOpen && <ChatPanel chat={snap.chat} onSend={(text) => room.sendChat(text)} onClose={() => setChatOpen(false)} sheet={narrow} />}
      </main>

      <footer className="relative flex items-center justify-center gap-2 px-3 py-4 sm:gap-3 sm:px-5">
        {audioBlocked && (
          <button
            type="button"
            data-testid="enable-audio"
            onClick={unlockAudio}
            className="absolute bottom-full left-1/2 inline-flex -translate-x-1/2 items-center gap-2 whitespace-nowrap rounded-full bg-amber-400 px-4 py-2 text-sm font-semibold text-slate-900 shadow-lg hover:bg-amber-300 xl:bottom-auto xl:left-5 xl:translate-x-0"
          >
            <SpeakerIcon className="h-4 w-4" /> Click to enable audio
          </button>
        )}
        <RoundButton testid="toggle-mic" label={local.audioEnabled ? 'Mute microphone' : 'Unmute microphone'} off={!local.audioEnabled} pressed={!local.audioEnabled} shortcut="M" onClick={toggleAudio}>
          {local.audioEnabled ? <MicIcon className="h-5 w-5" /> : <MicOffIcon className="h-5 w-5" />}
        </RoundButton>
        <RoundButton testid="toggle-camera" label={local.videoEnabled ? 'Turn camera off' : 'Turn camera on'} off={!local.videoEnabled} pressed={!local.videoEnabled} shortcut="V" onClick={toggleVideo}>
          {local.videoEnabled ? <CamIcon className="h-5 w-5" /> : <CamOffIcon className="h-5 w-5" />}
        </RoundButton>
        {!narrow && <ToolbarButtons actions={leading} />}
        <span className="relative">
          <RoundButton testid="toggle-chat" label={chatOpen ? 'Close chat' : snap.chat.unread > 0 ? `Open chat, ${snap.chat.unread} unread` : 'Open chat'} active={chatOpen} onClick={() => setChatOpen(!chatOpen)}>
            <ChatIcon className="h-5 w-5" />
          </RoundButton>
          {snap.chat.unread > 0 && (
            <span data-testid="chat-unread" aria-hidden="true" className="pointer-events-none absolute -right-1 -top-1 grid h-5 min-w-5 place-items-center rounded-full bg-rose-600 px-1 text-[11px] font-bold text-white ring-2 ring-slate-950">
              {snap.chat.unread > 99 ? '99+' : snap.chat.unread}
            </span>
          )}
        </span>
        {narrow ? <MoreMenu actions={[...leading, viewAction, selfViewAction, ...trailing]} /> : <ToolbarButtons actions={trailing} />}
        <RoundButton testid="leave" label="Leave call" danger onClick={() => room.leave()}>
          <LeaveIcon className="h-6 w-6" />
        </RoundButton>
        {/* Only where there is a keyboard and room for it beside the toolbar. */}
        <span data-testid="shortcut-hint" className="absolute right-5 hidden text-xs text-slate-400 xl:block pointer-coarse:hidden">
          <kbd className="rounded bg-white/5 px-1.5 py-0.5 font-mono">M</kbd> mic · <kbd className="rounded bg-white/5 px-1.5 py-0.5 font-mono">V</kbd> camera · <kbd className="rounded bg-white/5 px-1.5 py-0.5 font-mono">?</kbd> more
        </span>
      </footer>

      {notice && (
        <div data-testid="notice" className="fixed left-1/2 top-5 z-30 -translate-x-1/2 rounded-xl bg-slate-800 px-4 py-2.5 text-sm text-slate-100 shadow-xl ring-1 ring-white/10">
          {notice}
        </div>
      )}

      {settingsOpen && <SettingsDialog media={media} local={local} onError={showError} onClose={() => setSettingsOpen(false)} />}
      {shortcutsOpen && <ShortcutsDialog onClose={() => setShortcutsOpen(false)} />}
      <Awareness snap={snap} />
    </div>
  );
}

/**
 * Our own picture in a 1:1 call: small, over the other person's, and movable with a mouse, a pen
 * or a finger (pointer events; touch-action: none keeps the page from scrolling instead).
 */
function SelfInset({ area, size, children }: { area: Size; size: Size; children: ReactNode }) {
  const [placed, setPlaced] = useState<Point | null>(null);
  const drag = useRef<{ pointer: number; dx: number; dy: number } | null>(null);
  // Clear of the big tile's name bar until moved; kept on the stage when the stage shrinks.
  const at = clampInset(placed ?? defaultInset(size, area, 44), size, area);
  const end = (e: ReactPointerEvent) => {
    if (drag.current?.pointer === e.pointerId) drag.current = null;
  };
  return (
    <div
      data-testid="self-inset"
      className="absolute z-10 cursor-grab overflow-hidden rounded-2xl shadow-2xl ring-2 ring-white/20 active:cursor-grabbing"
      style={{ left: at.x, top: at.y, width: size.width, height: size.height, touchAction: 'none' }}
      onPointerDown={(e) => {
        if ((e.target as HTMLElement).closest('button')) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { pointer: e.pointerId, dx: e.clientX - at.x, dy: e.clientY - at.y };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (d?.pointer !== e.pointerId) return;
        setPlaced(clampInset({ x: e.clientX - d.dx, y: e.clientY - d.dy }, size, area));
      }}
      onPointerUp={end}
      onPointerCancel={end}
    >
      {children}
    </div>
  );
}

function ToolbarButtons({ actions }: { actions: ToolbarAction[] }) {
  return actions.map((a) => (
    <RoundButton key={a.testid} testid={a.testid} label={a.label} active={a.active} off={a.off} pressed={a.pressed} shortcut={a.shortcut} onClick={a.onClick}>
      {a.icon}
    </RoundButton>
  ));
}

function ConnectionBadge({ snap }: { snap: RoomSnapshot }) {
  const ok = snap.phase === 'joined';
  return (
    <span data-testid="socket-status" data-state={snap.connection} className={`inline-flex shrink-0 items-center gap-1.5 rounded-full px-2.5 py-1 text-xs ring-1 ${ok ? 'bg-emerald-500/10 text-emerald-300 ring-emerald-500/20' : 'bg-amber-500/10 text-amber-200 ring-amber-500/30'}`}>
      <span className={`h-1.5 w-1.5 rounded-full ${ok ? 'bg-emerald-400' : 'animate-pulse bg-amber-300'}`} />
      {ok ? 'Connected' : snap.phase === 'failed' ? 'Offline' : 'Reconnecting'}
    </span>
  );
}
