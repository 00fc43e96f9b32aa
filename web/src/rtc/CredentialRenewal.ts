// Keeps a call's TURN credentials fresh: plans the next GET /ice-servers from the expiry of the
// ones in use (on the server's clock), fetches, hands fresh ones to whatever carries media, and
// retries a failed fetch with backoff until the ones in use expire. When and how long is decided
// in iceCredentials; the per-connection part (setConfiguration, ICE restart) is the transport's.
import { type IceServersFetchResult, lifetimeMs, refreshDelayMs, retryDelayMs } from './iceCredentials';

export interface CredentialRenewalOptions {
  /** GET /ice-servers with the page's room token. */
  fetchIceServers: () => Promise<IceServersFetchResult>;
  /** Fresh servers arrived: every connection takes them, and later ones are made with them. */
  apply: (iceServers: RTCIceServer[]) => void;
  now: () => number;
}

export class CredentialRenewal {
  private readonly opts: CredentialRenewalOptions;
  /** The ICE servers in use (the newest ones received). */
  private iceServers: RTCIceServer[] = [];
  /** The server's clock minus ours: TURN expiries are on its clock. */
  private clockOffsetMs = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending refresh fires (our clock), while one is pending. */
  private dueAt: number | null = null;
  /** When the credentials the connections use expire (our clock): retries stop there. */
  private expiresAt = 0;
  private failures = 0;
  private inFlight = false;
  private stopped = false;
  private renewals = 0;

  constructor(opts: CredentialRenewalOptions) {
    this.opts = opts;
  }

  /** How many times fresh credentials were fetched and applied. */
  get count(): number {
    return this.renewals;
  }

  /**
   * Servers just received (room-joined, whose `timestamp` is the server's clock when it has one):
   * plans the fetch of fresh ones; nothing when they do not expire. `keepSooner`: a refresh
   * already pending (or running) that comes no later stays as it is, for connections that still
   * use earlier credentials.
   */
  schedule(iceServers: RTCIceServer[], serverTimestamp: number | undefined, keepSooner: boolean): void {
    this.iceServers = iceServers;
    if (serverTimestamp !== undefined) this.clockOffsetMs = serverTimestamp - this.opts.now();
    this.plan(keepSooner);
  }

  /** The call ended: no more fetches, and an answer still on its way changes nothing. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private plan(keepSooner: boolean): void {
    const now = this.opts.now();
    const serverNow = now + this.clockOffsetMs;
    const delay = refreshDelayMs(this.iceServers, serverNow);
    if (keepSooner && (this.inFlight || (this.dueAt !== null && (delay === null || this.dueAt <= now + delay)))) return;
    this.clearTimer();
    this.failures = 0;
    if (delay === null) return;
    this.expiresAt = now + (lifetimeMs(this.iceServers, serverNow) ?? 0);
    this.setTimer(delay, now);
  }

  private setTimer(delay: number, now: number): void {
    this.clearTimer();
    this.dueAt = now + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.dueAt = null;
      void this.refresh();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.dueAt = null;
  }

  /**
   * Fetches fresh ICE servers; on success they are applied and the next refresh is planned from
   * their expiry. On failure: retries with backoff until the credentials in use expire; a refused
   * room token ends the refreshing.
   */
  private async refresh(): Promise<void> {
    if (this.stopped || this.inFlight) return;
    this.inFlight = true;
    let result: IceServersFetchResult;
    try {
      result = await this.opts.fetchIceServers();
    } catch (err) {
      result = { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
    } finally {
      this.inFlight = false;
    }
    if (this.stopped) return;
    if (result.kind === 'ok') {
      this.iceServers = result.response.iceServers;
      this.opts.apply(this.iceServers);
      this.renewals += 1;
      this.plan(false);
      return;
    }
    if (result.kind === 'refused') {
      console.warn(
        `pulsemeet: cannot renew TURN credentials: the room token was refused (${result.code}); relayed connections may drop once the current credentials expire`,
      );
      return;
    }
    const now = this.opts.now();
    const delay = retryDelayMs(this.failures, this.expiresAt - now);
    this.failures += 1;
    if (delay === null) {
      console.warn(`pulsemeet: cannot renew TURN credentials (${result.reason}); the current ones have expired, giving up`);
      return;
    }
    console.warn(`pulsemeet: cannot renew TURN credentials (${result.reason}); retrying in ${Math.round(delay / 1000)} s`);
    this.setTimer(delay, now);
  }
}
