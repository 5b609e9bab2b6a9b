/**
 * No run stays in flight forever (spec/gateway-api.md § Never hangs, never loses). The Node
 * root calls `sweepOverdueRuns` on a timer and `recoverAfterRestart` once before it accepts
 * requests; both take the time as an argument, so tests drive them with an exact clock.
 */
import { failInFlightRuns, findOverdueRuns, type RunRecord } from "../db/repositories/runs.ts";
import { listRunningTestRuns } from "../db/repositories/test-runs.ts";
import { endRunForPlatform, reportEnded, type SettlementDeps, settleTestRun } from "./run-settlement.ts";

export const OUTLIVED_DEADLINE = "the run outlived its deadline";
export const SIDECAR_LOST =
  "no result came from the sidecar running the call by max_duration + 30 s: the sidecar was lost";
export const NO_SIDECAR_TOOK_IT =
  "no sidecar accepted the voice run before its deadline (every one was full or unreachable)";

/** Why an overdue run ends: a voice run that started had a sidecar, which stopped reporting. */
export function overdueEnding(run: RunRecord): { error: string; endedReason?: "sidecar_lost" } {
  if (run.channel !== "voice") return { error: OUTLIVED_DEADLINE };
  return run.status === "running"
    ? { error: SIDECAR_LOST, endedReason: "sidecar_lost" }
    : { error: NO_SIDECAR_TOOK_IT };
}
export const GATEWAY_RESTARTED = "gateway restarted";

const BATCH = 100;

export interface SweeperDeps extends SettlementDeps {
  /** Releases whatever still holds a swept run (its socket), if this process holds it. */
  release?: (runIds: number[], reason: string) => Promise<unknown>;
  /** Stores the events this process still holds in memory, so a swept run keeps what was said. */
  flushEvents?: () => Promise<void>;
}

/**
 * Ends every run still in flight past its deadline as failed / internal_error, keeping what
 * was said (from its transcript events), and settles its test run. Answers the runs it ended.
 */
export async function sweepOverdueRuns(sweeper: SweeperDeps, nowMs: number): Promise<RunRecord[]> {
  const deps = { ...sweeper, now: () => nowMs };
  const ended: RunRecord[] = [];
  for (;;) {
    const overdue = await findOverdueRuns(deps.db, nowMs, BATCH);
    if (overdue.length > 0) await sweeper.flushEvents?.();
    for (const run of overdue) {
      const stored = await endRunForPlatform(deps, run, {
        status: "failed",
        ...overdueEnding(run),
        endedAtMs: nowMs,
      });
      if (stored) ended.push(stored);
    }
    if (overdue.length < BATCH) break;
  }
  if (ended.length > 0)
    await sweeper.release?.(
      ended.map((r) => r.id),
      OUTLIVED_DEADLINE,
    );
  return ended;
}

/**
 * At start, before accepting requests: every run the previous process left queued or running
 * ends failed / internal_error "gateway restarted" (with its `ended` event and webhooks), and
 * every test run left running settles — also one whose last run ended just before a crash
 * that came before its settling.
 */
export async function recoverAfterRestart(
  deps: SettlementDeps,
  nowMs: number,
): Promise<{ runs: number; testRuns: number }> {
  const clocked = { ...deps, now: () => nowMs };
  const ended = await failInFlightRuns(deps.db, { error: GATEWAY_RESTARTED, endedAtMs: nowMs });
  let settled = 0;
  for (const run of ended) if (await reportEnded(clocked, run)) settled++;
  const seen = new Set<number>();
  for (;;) {
    const running = (await listRunningTestRuns(deps.db, BATCH + seen.size)).filter((t) => !seen.has(t.id));
    if (running.length === 0) break;
    for (const testRun of running) {
      seen.add(testRun.id);
      if (await settleTestRun(clocked, testRun.workspaceId, testRun.id)) settled++;
    }
  }
  if (settled > 0) deps.wakeWebhooks();
  return { runs: ended.length, testRuns: settled };
}
