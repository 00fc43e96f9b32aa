// Keeping TURN credentials fresh during a long call. With TURN_SECRET the server hands out TURN
// REST credentials: username `<unix-expiry-seconds>:<id>` (docs/protocol.md). coturn checks that
// expiry on every request, including the Refresh / CreatePermission / ChannelBind requests that
// keep a live relay allocation going, so a relayed call would drop some minutes after the
// credentials it joined with expire. The client therefore fetches new ones (GET /ice-servers)
// before that (CredentialRenewal), and the media transport restarts ICE with them. This module
// decides when, and fetches.
import { isAccessRefusalCode, type AccessRefusalCode, type FetchLike } from '../access/accessRefusal';
import { withToken } from '../access/linkOptions';
import { parseIceServersResponse } from '../protocol/guards';
import type { IceServersResponse } from '../protocol/messages';
import { isTurnUrl } from './connectIssue';

/** A refresh happens at least this long before the credentials expire (room for retries). */
export const REFRESH_MARGIN_MS = 20_000;
/** Never sooner than this after receiving credentials (no tight loop on odd expiries). */
export const MIN_REFRESH_DELAY_MS = 5_000;
/** Retries after a failed fetch: 5 s, 10 s, 20 s, ... at most a minute apart. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_CAP_MS = 60_000;
/** setTimeout's largest delay (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** Unix seconds at which this server's TURN REST credentials expire; null for STUN or a static username. */
export function credentialExpiry(server: RTCIceServer): number | null {
  const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
  if (!urls.some(isTurnUrl) || typeof server.username !== 'string') return null;
  const m = /^(\d+):/.exec(server.username);
  if (!m?.[1]) return null;
  const seconds = Number(m[1]);
  return Number.isSafeInteger(seconds) ? seconds : null;
}

/** The earliest expiry (Unix seconds) among `servers`; null when none of them expires. */
export function earliestExpiry(servers: readonly RTCIceServer[]): number | null {
  let earliest: number | null = null;
  for (const s of servers) {
    const e = credentialExpiry(s);
    if (e !== null && (earliest === null || e < earliest)) earliest = e;
  }
  return earliest;
}

/**
 * Milliseconds until `servers`, received when the server's clock read `serverNowMs`, last: the
 * expiry is on the server's clock, not ours. Null when nothing in them expires.
 */
export function lifetimeMs(servers: readonly RTCIceServer[], serverNowMs: number): number | null {
  const expiry = earliestExpiry(servers);
  return expiry === null ? null : expiry * 1000 - serverNowMs;
}

/**
 * When to fetch new credentials, in ms after receiving `servers`: at half their remaining
 * lifetime, never later than REFRESH_MARGIN_MS before the earliest expiry, never sooner than
 * MIN_REFRESH_DELAY_MS. Null: nothing expires (STUN only, static TURN username), no refresh.
 */
export function refreshDelayMs(servers: readonly RTCIceServer[], serverNowMs: number): number | null {
  const remaining = lifetimeMs(servers, serverNowMs);
  if (remaining === null) return null;
  const delay = Math.min(remaining / 2, remaining - REFRESH_MARGIN_MS);
  return Math.round(Math.min(Math.max(delay, MIN_REFRESH_DELAY_MS), MAX_TIMER_MS));
}

/**
 * The wait before retry number `attempt` (0 after the first failure) when `msLeft` remain until
 * the credentials in use expire: 5 s, 10 s, 20 s, ... capped at a minute, and not past the expiry
 * (the last try is at it). Null once they have expired: give up.
 */
export function retryDelayMs(attempt: number, msLeft: number): number | null {
  if (!(msLeft > 0)) return null;
  const backoff = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt), RETRY_CAP_MS);
  return Math.round(Math.min(backoff, msLeft));
}

export type IceServersFetchResult =
  | { kind: 'ok'; response: IceServersResponse }
  /** 401: the room token no longer lets us in (expired, ...): asking again will not help. */
  | { kind: 'refused'; code: AccessRefusalCode }
  /** Network error, another status, or a body outside the contract: worth another try. */
  | { kind: 'failed'; reason: string };

/** GET /ice-servers with the page's room token, as the upgrade would be checked. */
export async function fetchIceServers(fetchFn: FetchLike, token: string | null): Promise<IceServersFetchResult> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchFn(withToken('/ice-servers', token));
  } catch (err) {
    return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: judged below */
  }
  if (response.status === 401) {
    const code = typeof body === 'object' && body !== null && 'code' in body ? body.code : undefined;
    return { kind: 'refused', code: isAccessRefusalCode(code) ? code : 'token-invalid' };
  }
  if (response.status !== 200) return { kind: 'failed', reason: `HTTP ${response.status}` };
  const parsed = parseIceServersResponse(body);
  return parsed ? { kind: 'ok', response: parsed } : { kind: 'failed', reason: 'malformed response' };
}
