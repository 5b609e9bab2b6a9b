/**
 * When a failed webhook delivery is tried again (spec/gateway-api.md § Webhooks: first retry
 * within 30 s, then exponential backoff with jitter for at least 24 h).
 *
 * Retry n falls in the nth window after the first failure: windows start at 30 s long, double,
 * and stop growing at `maxWindowMs`; the retry lands anywhere in its window ("full jitter").
 * Anchoring the windows to the first failure, rather than jittering each gap from the previous
 * attempt, is what makes the guarantees hold for ANY random draw: retries are always in time
 * order, the number of attempts is fixed by the policy, and the last one is never earlier than
 * `retryForMs` after the first failure. Plain per-gap full jitter cannot promise either — a run
 * of small draws retries many times early and the attempt count has no bound.
 */
export interface RetryPolicy {
  /** Length of the first window: the first retry is at most this long after the first failure. */
  firstWindowMs: number;
  /** No window is longer than this, so a recovered receiver waits at most about this long. */
  maxWindowMs: number;
  /** The last retry is at least this long after the first failure; after it, the delivery is given up. */
  retryForMs: number;
}

export const WEBHOOK_RETRY_POLICY: RetryPolicy = {
  firstWindowMs: 30_000,
  maxWindowMs: 60 * 60_000,
  retryForMs: 24 * 60 * 60_000,
};

/** The policy with the first window shortened (SPAR_WEBHOOK_FIRST_RETRY_MS), or as it is. */
export function webhookRetryPolicy(firstWindowMs: number | undefined): RetryPolicy {
  return firstWindowMs === undefined ? WEBHOOK_RETRY_POLICY : { ...WEBHOOK_RETRY_POLICY, firstWindowMs };
}

/** Start of window n (1-based) relative to the first failure: the windows before it, summed. */
function windowStartMs(n: number, policy: RetryPolicy): number {
  let start = 0;
  for (let i = 1; i < n; i++) start += windowLengthMs(i, policy);
  return start;
}

function windowLengthMs(n: number, policy: RetryPolicy): number {
  // Capped before exponentiation grows past what a double holds exactly.
  const doublings = Math.min(n - 1, 52);
  return Math.min(policy.maxWindowMs, policy.firstWindowMs * 2 ** doublings);
}

/**
 * The time (epoch ms) of the next attempt after `attempt` attempts have failed (1 after the first
 * failure), or `undefined` when the delivery is given up because the attempt that just failed was
 * already at least `retryForMs` after the first failure. `random` is in [0, 1]; values outside are
 * clamped. Pure: the same arguments give the same time, so a restart does not change a schedule.
 */
export function nextAttemptAt(
  attempt: number,
  firstFailureAtMs: number,
  random: number,
  policy: RetryPolicy = WEBHOOK_RETRY_POLICY,
): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
  if (!(policy.firstWindowMs > 0 && policy.maxWindowMs >= policy.firstWindowMs)) {
    throw new RangeError("retry policy: firstWindowMs must be > 0 and maxWindowMs ≥ firstWindowMs");
  }
  // The attempt that just failed was retry (attempt - 1), which was no earlier than its window's start.
  if (attempt >= 2 && windowStartMs(attempt - 1, policy) >= policy.retryForMs) return undefined;
  const jitter = Math.min(1, Math.max(0, Number.isFinite(random) ? random : 0));
  return (
    firstFailureAtMs + windowStartMs(attempt, policy) + Math.round(jitter * windowLengthMs(attempt, policy))
  );
}

/** How many attempts a delivery that never succeeds gets in all (the first one included). */
export function maxAttempts(policy: RetryPolicy = WEBHOOK_RETRY_POLICY): number {
  let attempt = 1;
  while (nextAttemptAt(attempt, 0, 0, policy) !== undefined) attempt++;
  return attempt;
}
