import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, type BackoffPolicy } from './backoff';

const policy: BackoffPolicy = { baseMs: 500, maxMs: 10_000, maxAttempts: 8, persistentMaxMs: 30_000 };

describe('backoff', () => {
  it('doubles per attempt and caps at maxMs, then at persistentMaxMs after maxAttempts', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 50, 5000].map((a) => backoffCeiling(a, policy))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('jitter stays within [ceiling/2, ceiling]', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = backoffCeiling(attempt, policy);
      for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999999]) {
        const d = backoffDelay(attempt, policy, () => r);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('actually varies with the random source', () => {
    const low = backoffDelay(3, policy, () => 0);
    const high = backoffDelay(3, policy, () => 0.99);
    expect(low).toBe(2000);
    expect(high).toBeGreaterThan(3900);
  });
});
