// The pre-call check's verdicts (/check): what each measured fact means for a call, in plain
// words, and what to do about it. Pure: the measurements are made in runChecks.ts.

export type DeviceResult = 'ok' | 'denied' | 'missing' | 'error';
/** The media server answered a probe and the browser connected to it over that transport. */
export type PathResult = 'ok' | 'failed' | 'unavailable' | 'not-offered';
/** A STUN/TURN server produced the candidate it should (srflx for STUN, relay for TURN). */
export type IceServerResult = 'ok' | 'failed' | 'not-configured';

export interface CheckFacts {
  camera: DeviceResult;
  microphone: DeviceResult;
  mediaUdp: PathResult;
  mediaTcp: PathResult;
  stun: IceServerResult;
  turn: IceServerResult;
  /** What a TURN server said when it refused (e.g. "401 Unauthorized"), if anything. */
  turnError: string | null;
}

export type VerdictLevel = 'ok' | 'warn' | 'fail' | 'info';
export type CheckId = 'camera' | 'microphone' | 'media-udp' | 'media-tcp' | 'stun' | 'turn';

export interface Verdict {
  id: CheckId;
  label: string;
  level: VerdictLevel;
  /** One sentence: what we found. */
  summary: string;
  /** What to do about it (empty when nothing needs doing). */
  advice: string;
}

function device(id: 'camera' | 'microphone', result: DeviceResult): Verdict {
  const label = id === 'camera' ? 'Camera' : 'Microphone';
  const thing = id === 'camera' ? 'camera' : 'microphone';
  switch (result) {
    case 'ok':
      return { id, label, level: 'ok', summary: `Your ${thing} works.`, advice: '' };
    case 'denied':
      return { id, label, level: 'fail', summary: `The browser is not allowed to use your ${thing}.`, advice: `Click the camera icon in the address bar (or your browser's site settings), allow the ${thing} for this site, then run the check again.` };
    case 'missing':
      return { id, label, level: 'fail', summary: `No ${thing} was found.`, advice: `Plug in a ${thing}, or check that it is turned on and not disabled in your system settings.` };
    case 'error':
      return { id, label, level: 'fail', summary: `Your ${thing} could not be started.`, advice: `Another app may be using it: close other video-call apps, then run the check again.` };
  }
}

export function verdicts(f: CheckFacts): Verdict[] {
  const out: Verdict[] = [device('camera', f.camera), device('microphone', f.microphone)];

  // The media server: UDP first, TCP as the fallback.
  if (f.mediaUdp === 'unavailable') {
    out.push({ id: 'media-udp', label: 'Media server (UDP)', level: 'info', summary: 'This server has no media server, so this part was not checked.', advice: 'Calls go directly between browsers; nothing to do.' });
  } else if (f.mediaUdp === 'ok') {
    out.push({ id: 'media-udp', label: 'Media server (UDP)', level: 'ok', summary: 'Your browser reaches the media server over UDP, the fastest way.', advice: '' });
  } else {
    const tcpSaves = f.mediaTcp === 'ok';
    out.push({
      id: 'media-udp',
      label: 'Media server (UDP)',
      level: tcpSaves ? 'warn' : 'fail',
      summary: 'Your network blocks UDP to the media server.',
      advice: tcpSaves ? 'Calls will use TCP, which may add delay. If you can, use another network, or ask your network administrator to allow UDP to the media port.' : 'Ask your network administrator to allow UDP (or TCP) to the media port, or try another network.',
    });
  }
  if (f.mediaTcp === 'ok') {
    out.push({ id: 'media-tcp', label: 'Media server (TCP)', level: 'ok', summary: 'Your browser reaches the media server over TCP too (the fallback when UDP is blocked).', advice: '' });
  } else if (f.mediaTcp === 'not-offered') {
    out.push({ id: 'media-tcp', label: 'Media server (TCP)', level: f.mediaUdp === 'ok' ? 'info' : 'fail', summary: 'This media server does not accept TCP.', advice: f.mediaUdp === 'ok' ? 'Nothing to do while UDP works.' : 'Ask the administrator to turn on MEDIA_TCP_PORT.' });
  } else if (f.mediaTcp === 'failed') {
    out.push({ id: 'media-tcp', label: 'Media server (TCP)', level: f.mediaUdp === 'ok' ? 'warn' : 'fail', summary: 'Your network blocks TCP to the media port.', advice: f.mediaUdp === 'ok' ? 'Nothing to do while UDP works; on a stricter network calls may fail.' : 'Ask your network administrator to allow the media port, or try another network.' });
  }

  switch (f.stun) {
    case 'ok':
      out.push({ id: 'stun', label: 'STUN', level: 'ok', summary: 'The STUN server answers: direct calls between browsers can find a way through your router.', advice: '' });
      break;
    case 'failed':
      out.push({ id: 'stun', label: 'STUN', level: 'warn', summary: 'The STUN server did not answer.', advice: 'Direct calls may fail outside your own network; a relay (TURN) or the media server will be needed. Your network may block UDP.' });
      break;
    case 'not-configured':
      out.push({ id: 'stun', label: 'STUN', level: 'info', summary: 'This server gives out no STUN server.', advice: 'Direct calls work inside one network; across networks they rely on TURN or the media server.' });
      break;
  }
  switch (f.turn) {
    case 'ok':
      out.push({ id: 'turn', label: 'TURN relay', level: 'ok', summary: 'The TURN relay accepted you: calls can go through it when nothing else works.', advice: '' });
      break;
    case 'failed':
      out.push({
        id: 'turn',
        label: 'TURN relay',
        level: 'fail',
        summary: `The TURN relay did not accept you${f.turnError ? ` (${f.turnError.replace(/\.$/, '')})` : ''}.`,
        advice: f.turnError && /\b401\b/.test(f.turnError) ? 'The relay refused the credentials: tell the administrator (TURN_SECRET may not match the relay’s).' : 'The relay could not be reached: your network may block it, or it is down. Tell the administrator.',
      });
      break;
    case 'not-configured':
      out.push({ id: 'turn', label: 'TURN relay', level: 'info', summary: 'This server has no TURN relay configured.', advice: 'Calls that cannot connect directly will use the media server instead.' });
      break;
  }
  return out;
}

/** The one line at the top: can this person expect a working call? */
export function overall(list: readonly Verdict[]): { level: VerdictLevel; text: string } {
  const failed = list.filter((v) => v.level === 'fail');
  const warned = list.filter((v) => v.level === 'warn');
  if (failed.length > 0) return { level: 'fail', text: `${failed.length === 1 ? 'One thing needs' : `${failed.length} things need`} fixing before your calls will work well.` };
  if (warned.length > 0) return { level: 'warn', text: 'Calls will work, with a caveat below.' };
  return { level: 'ok', text: 'Everything works: you are ready for calls.' };
}

/** Plain text for an administrator ("copy report"). */
export function reportText(list: readonly Verdict[], details: Record<string, string>, when: Date): string {
  const lines = [`PulseMeet connection check, ${when.toISOString()}`];
  for (const v of list) lines.push(`${v.level.toUpperCase().padEnd(4)} ${v.label}: ${v.summary}${v.advice ? ` ${v.advice}` : ''}`);
  lines.push('', 'Details:');
  for (const [k, v] of Object.entries(details)) lines.push(`  ${k}: ${v}`);
  return lines.join('\n');
}
