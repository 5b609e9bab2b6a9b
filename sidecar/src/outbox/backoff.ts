/** How long a failed delivery waits before its next attempt, and when it gives up. */
export interface BackoffPolicy {
  /** Delay ceiling before jitter for the first retry. */
  baseMs: number;
  /** No wait is ever longer than this, whatever the attempt count or a `Retry-After`. */
  maxMs: number;
  /** After this many failed attempts the delivery becomes dead (kept, never retried). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000, maxAttempts: 12 };

/**
 * Exponential backoff with "equal jitter": half the exponential ceiling is guaranteed (so a
 * crowd of sidecars never retries at once at zero) and the other half is random.
 * `failedAttempts` is 1 after the first failure; `random` is in [0, 1).
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  failedAttempts: number,
  random: number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = Math.round(ceiling / 2 + (random * ceiling) / 2);
  // A receiver that names its own wait (429/503 Retry-After) knows better than our guess.
  return Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0));
}
