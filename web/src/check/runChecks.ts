// The pre-call check's measurements (/check), all at once, each with its own deadline, so the
// whole check takes about ten seconds at worst: the camera and microphone, STUN and TURN
// (gathering candidates with the servers /ice-servers hands out: a relay candidate is a real TURN
// allocation with those credentials), and the media server over UDP and over TCP (a throw-away
// connection through `sfu-probe`, docs/protocol.md, keeping only the UDP or only the TCP
// candidate of its answer).
import { withToken } from '../access/linkOptions';
import { fetchIceServers } from '../rtc/iceCredentials';
import { isTurnUrl } from '../rtc/connectIssue';
import { signalingUrl } from '../signaling/SignalingClient';
import type { CheckFacts, DeviceResult, IceServerResult, PathResult } from './verdicts';

export const GATHER_TIMEOUT_MS = 5_000;
export const PROBE_TIMEOUT_MS = 8_000;

export interface CheckRun {
  facts: CheckFacts;
  details: Record<string, string>;
}

function deviceError(err: unknown): DeviceResult {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  return 'error';
}

async function checkDevice(kind: 'video' | 'audio'): Promise<{ result: DeviceResult; detail: string }> {
  if (!navigator.mediaDevices?.getUserMedia) return { result: 'error', detail: 'getUserMedia unavailable (not a secure page?)' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'video' ? { video: true } : { audio: true });
    const track = stream.getTracks()[0];
    const label = track?.label ?? '';
    const live = track?.readyState === 'live';
    stream.getTracks().forEach((t) => t.stop());
    return { result: live ? 'ok' : 'error', detail: label || '(no label)' };
  } catch (err) {
    return { result: deviceError(err), detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

function urlsOf(server: RTCIceServer): string[] {
  return typeof server.urls === 'string' ? [server.urls] : [...server.urls];
}

/** Gathers candidates with `servers` until done or the deadline; counts types and TURN errors. */
async function gather(servers: RTCIceServer[], relayOnly: boolean): Promise<{ types: string[]; errors: string[] }> {
  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
  const types: string[] = [];
  const errors: string[] = [];
  pc.onicecandidate = (ev) => {
    const m = ev.candidate?.candidate ? / typ ([a-z]+)/.exec(ev.candidate.candidate) : null;
    if (m?.[1]) types.push(m[1]);
  };
  pc.onicecandidateerror = (ev) => {
    errors.push(`${ev.url ?? ''} ${ev.errorCode} ${ev.errorText}`.trim());
  };
  pc.createDataChannel('check');
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  } finally {
    pc.close();
  }
  return { types, errors };
}

async function checkStun(servers: RTCIceServer[]): Promise<{ result: IceServerResult; detail: string }> {
  const stun = servers.map((s) => ({ urls: urlsOf(s).filter((u) => u.startsWith('stun:') || u.startsWith('stuns:')) })).filter((s) => s.urls.length > 0);
  if (stun.length === 0) return { result: 'not-configured', detail: 'none' };
  const { types, errors } = await gather(stun, false);
  const ok = types.includes('srflx');
  return { result: ok ? 'ok' : 'failed', detail: `${stun.flatMap((s) => s.urls).join(' ')}; candidates ${types.join(',') || 'none'}${errors.length ? `; errors ${errors.join(' | ')}` : ''}` };
}

async function checkTurn(servers: RTCIceServer[]): Promise<{ result: IceServerResult; detail: string; error: string | null }> {
  const turn = servers.map((s) => ({ ...s, urls: urlsOf(s).filter(isTurnUrl) })).filter((s) => s.urls.length > 0);
  if (turn.length === 0) return { result: 'not-configured', detail: 'none', error: null };
  const { types, errors } = await gather(turn, true);
  const ok = types.includes('relay');
  const firstError = errors[0]?.replace(/^\S+\s+/, '') ?? null;
  return { result: ok ? 'ok' : 'failed', detail: `${turn.flatMap((s) => s.urls).join(' ')}; relay candidates ${types.filter((t) => t === 'relay').length}${errors.length ? `; errors ${errors.join(' | ')}` : ''}`, error: ok ? null : firstError };
}

/** The answer's SDP with only the candidates of one transport. */
export function keepCandidates(sdp: string, transport: 'udp' | 'tcp'): { sdp: string; kept: number } {
  let kept = 0;
  const lines = sdp.split('\r\n').filter((line) => {
    const m = /^a=candidate:\S+ \d+ (\S+) /.exec(line);
    if (!m) return true;
    const keep = m[1]?.toLowerCase() === transport;
    if (keep) kept += 1;
    return keep;
  });
  return { sdp: lines.join('\r\n'), kept };
}

type ProbeAnswer = { kind: 'answer'; sdp: string } | { kind: 'unavailable'; reason: string } | { kind: 'failed'; reason: string };

/** One sfu-probe on its own WebSocket: the media server's answer, or why there is none. */
function requestProbe(token: string | null, offerSdp: string): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const ws = new WebSocket(signalingUrl(window.location, token));
    const timer = setTimeout(() => finish({ kind: 'failed', reason: 'no answer from the server' }), PROBE_TIMEOUT_MS);
    let done = false;
    function finish(answer: ProbeAnswer) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
    }
    ws.onopen = () => ws.send(JSON.stringify({ type: 'sfu-probe', sdp: offerSdp }));
    ws.onmessage = (ev) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (typeof msg !== 'object' || msg === null) return;
      const m = msg as { type?: unknown; sdp?: unknown; code?: unknown; error?: unknown };
      if (m.type === 'sfu-probe-answer' && typeof m.sdp === 'string') finish({ kind: 'answer', sdp: m.sdp });
      else if (m.type === 'error') {
        const reason = `${String(m.code)}: ${String(m.error)}`;
        finish(m.code === 'media-unavailable' && /no media server/.test(String(m.error)) ? { kind: 'unavailable', reason } : { kind: 'failed', reason });
      }
    };
    ws.onerror = () => finish({ kind: 'failed', reason: 'WebSocket error' });
    ws.onclose = () => finish({ kind: 'failed', reason: 'WebSocket closed' });
    // Keep the socket open until the probe is over: the server ends the probe when it closes.
    setTimeout(() => ws.close(), PROBE_TIMEOUT_MS + 2_000);
  });
}

async function probeMediaServer(token: string | null, transport: 'udp' | 'tcp'): Promise<{ result: PathResult; detail: string; ms: number | null }> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const started = performance.now();
  try {
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = await requestProbe(token, offer.sdp ?? '');
    if (answer.kind === 'unavailable') return { result: 'unavailable', detail: answer.reason, ms: null };
    if (answer.kind === 'failed') return { result: 'failed', detail: answer.reason, ms: null };
    const only = keepCandidates(answer.sdp, transport);
    if (only.kept === 0) return { result: 'not-offered', detail: `no ${transport} candidate in the answer`, ms: null };
    await pc.setRemoteDescription({ type: 'answer', sdp: only.sdp });
    const connected = await new Promise<boolean>((resolve) => {
      const left = Math.max(0, PROBE_TIMEOUT_MS - (performance.now() - started));
      const timer = setTimeout(() => resolve(false), left);
      const look = () => {
        if (pc.connectionState === 'connected') {
          clearTimeout(timer);
          resolve(true);
        } else if (pc.connectionState === 'failed') {
          clearTimeout(timer);
          resolve(false);
        }
      };
      pc.onconnectionstatechange = look;
      look();
    });
    const ms = Math.round(performance.now() - started);
    return { result: connected ? 'ok' : 'failed', detail: connected ? `connected in ${ms} ms` : `no connection within ${PROBE_TIMEOUT_MS} ms (ICE ${pc.iceConnectionState})`, ms: connected ? ms : null };
  } catch (err) {
    return { result: 'failed', detail: err instanceof Error ? err.message : String(err), ms: null };
  } finally {
    pc.close();
  }
}

export async function runChecks(token: string | null): Promise<CheckRun> {
  // /ice-servers first (it answers at once), then everything at the same time.
  const iceResult = await fetchIceServers((url) => fetch(url, { cache: 'no-store' }), token);
  const servers = iceResult.kind === 'ok' ? iceResult.response.iceServers : [];
  const [camera, microphone, udp, tcp, stun, turn] = await Promise.all([
    checkDevice('video'),
    checkDevice('audio'),
    probeMediaServer(token, 'udp'),
    probeMediaServer(token, 'tcp'),
    checkStun(servers),
    checkTurn(servers),
  ]);
  const facts: CheckFacts = {
    camera: camera.result,
    microphone: microphone.result,
    mediaUdp: udp.result,
    mediaTcp: udp.result === 'unavailable' ? 'unavailable' : tcp.result,
    stun: stun.result,
    turn: turn.result,
    turnError: turn.error,
  };
  const details: Record<string, string> = {
    page: withToken(window.location.pathname, null),
    browser: navigator.userAgent,
    camera: camera.detail,
    microphone: microphone.detail,
    'ice-servers': iceResult.kind === 'ok' ? `${servers.length} server(s)` : iceResult.kind === 'refused' ? `refused (${iceResult.code})` : `failed (${iceResult.reason})`,
    'media UDP': udp.detail,
    'media TCP': tcp.detail,
    stun: stun.detail,
    turn: turn.detail,
  };
  return { facts, details };
}
