// Reconnect delays: capped exponential backoff with "equal jitter" — half the step is fixed so
// reconnects never hammer the server, half is random so a restarted server is not hit by every
// client in the same millisecond.

export interface BackoffPolicy {
  /** Delay step for the first retry, in ms. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** After this many failed attempts in a row, stop and let the user press Retry. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 10_000, maxAttempts: 8 };

/** Upper bound of the step for retry number `attempt` (0-based), before jitter. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  // Cap the exponent too, so huge attempt numbers cannot overflow to Infinity.
  const exp = Math.min(attempt, 30);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
}

/** Delay in [ceiling/2, ceiling]; `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = backoffCeiling(attempt, policy);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
