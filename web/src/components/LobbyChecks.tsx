// The lobby's checks before joining: a microphone level meter, a speaker test sound, who is in
// the room already (the server's room preview), and the room code that copies the invite link.
import { useEffect, useRef, useState } from 'react';
import { copyInviteLink } from '../access/copyInvite';
import { readLinkOptions } from '../access/linkOptions';
import { meterLevel, testSoundWav } from '../rtc/deviceCheck';
import { browserPreviewSocket, previewSentence, requestRoomPreview } from '../signaling/roomPreview';
import { signalingUrl } from '../signaling/SignalingClient';
import { CheckIcon, LinkIcon, SpeakerIcon, UsersIcon } from './icons';

export function MicMeter({ track, enabled }: { track: MediaStreamTrack | null; enabled: boolean }) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!track || !enabled || typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      setLevel(meterLevel(samples));
    }, 100);
    return () => {
      clearInterval(timer);
      source.disconnect();
      void context.close();
      setLevel(0);
    };
  }, [track, enabled]);
  const percent = Math.round((enabled ? level : 0) * 100);
  return (
    <div className="flex items-center gap-2">
      <span id="mic-meter-label" className="w-20 shrink-0 text-xs font-medium text-slate-400">
        Mic level
      </span>
      <div data-testid="mic-meter" data-level={percent} role="meter" aria-labelledby="mic-meter-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-2 flex-1 overflow-hidden rounded-full bg-slate-800">
        <div className="h-full rounded-full bg-emerald-400 transition-[width] duration-100" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

type SinkCapable = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export function SpeakerTest({ speakerId }: { speakerId: string | null }) {
  const [playing, setPlaying] = useState(false);
  const [failed, setFailed] = useState(false);
  const play = async () => {
    const url = URL.createObjectURL(new Blob([testSoundWav()], { type: 'audio/wav' }));
    const audio: SinkCapable = new Audio(url);
    setFailed(false);
    setPlaying(true);
    try {
      if (speakerId && typeof audio.setSinkId === 'function') await audio.setSinkId(speakerId);
      await audio.play();
      await new Promise<void>((resolve) => {
        audio.onended = () => resolve();
        audio.onerror = () => resolve();
      });
    } catch {
      setFailed(true);
    } finally {
      setPlaying(false);
      URL.revokeObjectURL(url);
    }
  };
  return (
    <div className="flex items-center gap-2">
      <button type="button" data-testid="speaker-test" data-playing={playing ? 'true' : 'false'} onClick={() => void play()} disabled={playing} className="inline-flex min-h-9 items-center gap-1.5 rounded-lg bg-white/5 px-3 text-xs font-medium text-slate-200 ring-1 ring-white/10 hover:bg-white/10 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:opacity-70">
        <SpeakerIcon className="h-4 w-4" />
        {playing ? 'Playing test sound…' : 'Test speaker'}
      </button>
      {failed && <span className="text-xs text-amber-200">Could not play the test sound.</span>}
    </div>
  );
}

const PREVIEW_EVERY_MS = 15_000;

/**
 * `live`: keep asking every 15 s. Once the person has pressed Join (or the room turned out full or
 * refused) the last answer stays and no more sockets are opened: the lobby's sockets then belong
 * to the join alone.
 */
export function RoomPreviewLine({ roomId, live }: { roomId: string; live: boolean }) {
  const [names, setNames] = useState<string[] | null>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (!live && asked.current) return;
    asked.current = true;
    let stopped = false;
    const token = readLinkOptions(window.location.search).token;
    const ask = async () => {
      const answer = await requestRoomPreview(() => browserPreviewSocket(signalingUrl(window.location, token)), roomId);
      if (!stopped && answer !== null) setNames(answer);
    };
    void ask();
    const timer = live ? setInterval(() => void ask(), PREVIEW_EVERY_MS) : undefined;
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [roomId, live]);
  if (names === null) return null;
  return (
    <p data-testid="room-preview" data-count={names.length} className="flex items-center gap-2 text-sm text-slate-300">
      <UsersIcon className="h-4 w-4 shrink-0 text-slate-400" />
      {previewSentence(names)}
    </p>
  );
}

export function RoomCodeButton({ roomId }: { roomId: string }) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    await copyInviteLink(roomId);
    setCopied(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), 2500);
  };
  return (
    <button type="button" data-testid="lobby-room-code" onClick={() => void copy()} title="Copy the invite link" className="inline-flex min-h-8 max-w-[60vw] items-center gap-1.5 rounded-full bg-white/5 px-3 py-1 font-mono text-xs text-slate-300 ring-1 ring-white/10 hover:bg-white/10 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400">
      {copied ? <CheckIcon className="h-3.5 w-3.5 shrink-0 text-emerald-300" /> : <LinkIcon className="h-3.5 w-3.5 shrink-0" />}
      <span className="truncate">{roomId}</span>
      <span role="status" className={copied ? 'font-sans font-medium text-emerald-300' : 'sr-only'}>
        {copied ? 'Link copied' : ''}
      </span>
    </button>
  );
}
