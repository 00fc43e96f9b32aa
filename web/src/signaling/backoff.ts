// Reconnect delays: capped exponential backoff with "equal jitter" — half the step is fixed so
// reconnects never hammer the server, half is random so a restarted server is not hit by every
// client in the same millisecond.

export interface BackoffPolicy {
  /** Delay step for the first retry, in ms. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /**
   * After this many failed attempts in a row the client reports 'failed' (the UI offers Retry)
   * but keeps trying in the background, with delays capped at `persistentMaxMs`.
   */
  maxAttempts: number;
  /** Cap of the background retries after `maxAttempts`: a server back after a long outage is found within this. */
  persistentMaxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 10_000, maxAttempts: 8, persistentMaxMs: 30_000 };

/** Upper bound of the step for retry number `attempt` (0-based), before jitter. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  // Cap the exponent too, so huge attempt numbers cannot overflow to Infinity.
  const exp = Math.min(attempt, 30);
  const cap = attempt < policy.maxAttempts ? policy.maxMs : Math.max(policy.maxMs, policy.persistentMaxMs);
  return Math.min(cap, policy.baseMs * 2 ** exp);
}

/** Delay in [ceiling/2, ceiling]; `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = backoffCeiling(attempt, policy);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
