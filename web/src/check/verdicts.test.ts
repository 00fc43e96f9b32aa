import { describe, expect, it } from 'vitest';
import { keepCandidates } from './runChecks';
import { overall, reportText, verdicts, type CheckFacts } from './verdicts';

const allGood: CheckFacts = { camera: 'ok', microphone: 'ok', mediaUdp: 'ok', mediaTcp: 'ok', stun: 'ok', turn: 'ok', turnError: null };

function find(facts: CheckFacts, id: string) {
  const v = verdicts(facts).find((x) => x.id === id);
  if (!v) throw new Error(`no verdict ${id}`);
  return v;
}

describe('pre-call check verdicts', () => {
  it('all good: every line ok and the overall line says ready', () => {
    const list = verdicts(allGood);
    expect(list.map((v) => v.level)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(overall(list)).toEqual({ level: 'ok', text: 'Everything works: you are ready for calls.' });
  });

  it('UDP blocked but TCP works: a warning that calls use TCP with more delay', () => {
    const v = find({ ...allGood, mediaUdp: 'failed' }, 'media-udp');
    expect(v.level).toBe('warn');
    expect(v.summary).toBe('Your network blocks UDP to the media server.');
    expect(v.advice).toMatch(/^Calls will use TCP, which may add delay/);
    expect(overall(verdicts({ ...allGood, mediaUdp: 'failed' })).level).toBe('warn');
  });

  it('UDP and TCP both blocked: a failure with what to ask for', () => {
    const facts: CheckFacts = { ...allGood, mediaUdp: 'failed', mediaTcp: 'failed' };
    expect(find(facts, 'media-udp').level).toBe('fail');
    expect(find(facts, 'media-tcp').level).toBe('fail');
    expect(overall(verdicts(facts)).text).toBe('2 things need fixing before your calls will work well.');
  });

  it('a server without TCP: only a failure when UDP fails too', () => {
    expect(find({ ...allGood, mediaTcp: 'not-offered' }, 'media-tcp').level).toBe('info');
    expect(find({ ...allGood, mediaUdp: 'failed', mediaTcp: 'not-offered' }, 'media-tcp').advice).toContain('MEDIA_TCP_PORT');
  });

  it('camera permission denied: says how to allow it', () => {
    const v = find({ ...allGood, camera: 'denied' }, 'camera');
    expect(v.level).toBe('fail');
    expect(v.summary).toBe('The browser is not allowed to use your camera.');
    expect(v.advice).toContain('allow the camera');
    expect(find({ ...allGood, microphone: 'missing' }, 'microphone').summary).toBe('No microphone was found.');
  });

  it('no TURN configured is information, not a failure', () => {
    const v = find({ ...allGood, turn: 'not-configured' }, 'turn');
    expect(v.level).toBe('info');
    expect(v.summary).toBe('This server has no TURN relay configured.');
    expect(overall(verdicts({ ...allGood, turn: 'not-configured' })).level).toBe('ok');
  });

  it('TURN refusing the credentials (401) points at the secret', () => {
    const v = find({ ...allGood, turn: 'failed', turnError: '401 Unauthorized' }, 'turn');
    expect(v.level).toBe('fail');
    expect(v.summary).toBe('The TURN relay did not accept you (401 Unauthorized).');
    expect(v.advice).toContain('TURN_SECRET');
    expect(find({ ...allGood, turn: 'failed', turnError: '701 timeout' }, 'turn').advice).toMatch(/could not be reached/);
  });

  it('no media server: not checked, nothing to do', () => {
    const v = find({ ...allGood, mediaUdp: 'unavailable', mediaTcp: 'unavailable' }, 'media-udp');
    expect(v.level).toBe('info');
    expect(verdicts({ ...allGood, mediaUdp: 'unavailable', mediaTcp: 'unavailable' }).some((x) => x.id === 'media-tcp')).toBe(false);
  });

  it('STUN not answering is a warning', () => {
    expect(find({ ...allGood, stun: 'failed' }, 'stun').level).toBe('warn');
    expect(find({ ...allGood, stun: 'not-configured' }, 'stun').level).toBe('info');
  });

  it('the report has one line per verdict and the details', () => {
    const text = reportText(verdicts({ ...allGood, mediaUdp: 'failed' }), { 'media UDP': 'no connection' }, new Date(0));
    expect(text.split('\n')[0]).toBe('PulseMeet connection check, 1970-01-01T00:00:00.000Z');
    expect(text).toContain('WARN Media server (UDP): Your network blocks UDP to the media server.');
    expect(text).toContain('  media UDP: no connection');
  });
});

describe('keepCandidates', () => {
  const sdp = ['v=0', 'a=candidate:1 1 udp 2130706431 10.0.0.1 10000 typ host', 'a=candidate:2 1 tcp 2120220671 10.0.0.1 10000 typ host tcptype passive', 'a=end-of-candidates', ''].join('\r\n');
  it('keeps only the chosen transport', () => {
    const tcp = keepCandidates(sdp, 'tcp');
    expect(tcp.kept).toBe(1);
    expect(tcp.sdp).not.toContain(' udp ');
    expect(tcp.sdp).toContain('tcptype passive');
    const udp = keepCandidates(sdp, 'udp');
    expect(udp.kept).toBe(1);
    expect(udp.sdp).not.toContain(' tcp ');
    expect(keepCandidates('v=0\r\n', 'tcp').kept).toBe(0);
  });
});
