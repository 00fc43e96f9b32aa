import { describe, expect, it } from 'vitest';
import {
  MIN_REFRESH_DELAY_MS,
  REFRESH_MARGIN_MS,
  credentialExpiry,
  earliestExpiry,
  fetchIceServers,
  refreshDelayMs,
  retryDelayMs,
} from './iceCredentials';

const NOW_S = 1_700_000_000;
const NOW_MS = NOW_S * 1000;
const turn = (username: string, urls: string | string[] = 'turn:127.0.0.1:3478?transport=udp'): RTCIceServer => ({ urls, username, credential: 'c' });
const stun: RTCIceServer = { urls: 'stun:127.0.0.1:3478' };

describe('credentialExpiry', () => {
  it('reads the Unix-seconds prefix of a TURN REST username', () => {
    expect(credentialExpiry(turn(`${NOW_S + 3600}:abc123`))).toBe(NOW_S + 3600);
    expect(credentialExpiry(turn(`${NOW_S}:x`, ['stun:s:1', 'turns:t:5349']))).toBe(NOW_S);
  });

  it('ignores static usernames, STUN entries and TURN entries without a username', () => {
    expect(credentialExpiry(turn('alice'))).toBeNull();
    expect(credentialExpiry(turn('12a:alice'))).toBeNull();
    expect(credentialExpiry(turn(':1700000000'))).toBeNull();
    expect(credentialExpiry({ urls: 'stun:s:1', username: `${NOW_S}:x` })).toBeNull();
    expect(credentialExpiry({ urls: 'turn:t:1' })).toBeNull();
    expect(credentialExpiry(stun)).toBeNull();
  });

  it('takes the earliest expiry over all servers', () => {
    expect(earliestExpiry([stun, turn(`${NOW_S + 600}:a`), turn('static'), turn(`${NOW_S + 300}:b`)])).toBe(NOW_S + 300);
    expect(earliestExpiry([stun, turn('static')])).toBeNull();
    expect(earliestExpiry([])).toBeNull();
  });
});

describe('refreshDelayMs', () => {
  it('plans nothing for STUN only or static TURN credentials', () => {
    expect(refreshDelayMs([], NOW_MS)).toBeNull();
    expect(refreshDelayMs([stun], NOW_MS)).toBeNull();
    expect(refreshDelayMs([stun, turn('static-user')], NOW_MS)).toBeNull();
  });

  it('refreshes at half the remaining lifetime of the earliest expiring credentials', () => {
    expect(refreshDelayMs([turn(`${NOW_S + 3600}:a`)], NOW_MS)).toBe(1_800_000);
    expect(refreshDelayMs([turn(`${NOW_S + 3600}:a`), turn(`${NOW_S + 60}:b`)], NOW_MS)).toBe(30_000);
    // Measured from the server's clock reading, not from when the credentials were made.
    expect(refreshDelayMs([turn(`${NOW_S + 3600}:a`)], NOW_MS + 600_000)).toBe(1_500_000);
  });

  it('is never later than the margin before expiry', () => {
    // 30 s left: half would be 15 s, but that leaves less than the margin.
    expect(refreshDelayMs([turn(`${NOW_S + 30}:a`)], NOW_MS)).toBe(Math.max(30_000 - REFRESH_MARGIN_MS, MIN_REFRESH_DELAY_MS));
    // 35 s left: half (17.5 s) would leave less than the margin; 45 s left: half (22.5 s) is early enough.
    expect(refreshDelayMs([turn(`${NOW_S + 35}:a`)], NOW_MS)).toBe(35_000 - REFRESH_MARGIN_MS);
    expect(refreshDelayMs([turn(`${NOW_S + 45}:a`)], NOW_MS)).toBe(22_500);
  });

  it('never fires sooner than the minimum delay, even for credentials already expired', () => {
    expect(refreshDelayMs([turn(`${NOW_S + 10}:a`)], NOW_MS)).toBe(MIN_REFRESH_DELAY_MS);
    expect(refreshDelayMs([turn(`${NOW_S - 100}:a`)], NOW_MS)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('stays within what setTimeout can wait', () => {
    expect(refreshDelayMs([turn(`${NOW_S + 10 * 365 * 86_400}:a`)], NOW_MS)).toBe(2_147_483_647);
  });
});

describe('retryDelayMs', () => {
  it('backs off 5, 10, 20, 40 s and caps at a minute', () => {
    const plenty = 3_600_000;
    expect([0, 1, 2, 3, 4, 5, 40].map((a) => retryDelayMs(a, plenty))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });

  it('makes the last try at the expiry and gives up after it', () => {
    expect(retryDelayMs(3, 12_000)).toBe(12_000);
    expect(retryDelayMs(0, 0)).toBeNull();
    expect(retryDelayMs(0, -5)).toBeNull();
    expect(retryDelayMs(0, Number.NaN)).toBeNull();
  });
});

function reply(status: number, body: unknown) {
  return { status, json: () => (body instanceof Error ? Promise.reject(body) : Promise.resolve(body)) };
}

describe('fetchIceServers', () => {
  it('asks /ice-servers with the room token and returns the parsed servers', async () => {
    const urls: string[] = [];
    const result = await fetchIceServers(async (url) => {
      urls.push(url);
      return reply(200, { iceServers: [stun, turn(`${NOW_S + 60}:x`)], iceTransportPolicy: 'relay' });
    }, 'a b');
    expect(urls).toEqual(['/ice-servers?token=a%20b']);
    expect(result).toEqual({ kind: 'ok', response: { iceServers: [stun, turn(`${NOW_S + 60}:x`)], iceTransportPolicy: 'relay' } });
  });

  it('asks without a token when the page has none', async () => {
    const urls: string[] = [];
    await fetchIceServers(async (url) => {
      urls.push(url);
      return reply(200, { iceServers: [] });
    }, null);
    expect(urls).toEqual(['/ice-servers']);
  });

  it('a 401 is a refusal with the server code (token-invalid when it gives none)', async () => {
    expect(await fetchIceServers(async () => reply(401, { error: 'x', code: 'token-expired' }), 't')).toEqual({ kind: 'refused', code: 'token-expired' });
    expect(await fetchIceServers(async () => reply(401, new Error('not json')), 't')).toEqual({ kind: 'refused', code: 'token-invalid' });
  });

  it('network errors, other statuses and malformed bodies are failures worth retrying', async () => {
    expect(
      await fetchIceServers(async () => {
        throw new TypeError('Failed to fetch');
      }, null),
    ).toEqual({ kind: 'failed', reason: 'Failed to fetch' });
    expect(await fetchIceServers(async () => reply(503, { error: 'draining' }), null)).toEqual({ kind: 'failed', reason: 'HTTP 503' });
    expect(await fetchIceServers(async () => reply(429, null), null)).toEqual({ kind: 'failed', reason: 'HTTP 429' });
    expect(await fetchIceServers(async () => reply(200, new Error('truncated')), null)).toMatchObject({ kind: 'failed' });
    expect(await fetchIceServers(async () => reply(200, { iceServers: [{ urls: 5 }] }), null)).toMatchObject({ kind: 'failed' });
    expect(await fetchIceServers(async () => reply(200, { servers: [] }), null)).toMatchObject({ kind: 'failed' });
  });
});
