/**
 * The cron trigger's sweep (wrangler.toml `crons`), also run by `spar serve --runtime workers`
 * once at start, as Node recovers before it accepts requests. Four passes: runs past their
 * deadline end failed (sweeper.ts, shared with Node); every other started run's object is asked
 * whether it still holds the run — one that lost it (evicted, reset, restarted) ends it; a run
 * still queued QUEUED_GRACE_MS after its creation whose object never got it ends failed (Workers
 * queue nothing: a submission takes milliseconds, so only an isolate that died while submitting
 * leaves one); then test runs left running settle and the webhook object is woken.
 */
import { findOverdueRuns, findQueuedRunsCreatedBefore, type RunRecord } from "../../db/repositories/runs.ts";
import { listRunningTestRuns } from "../../db/repositories/test-runs.ts";
import { endRunForPlatform, settleTestRun } from "../../runs/run-settlement.ts";
import { sweepOverdueRuns } from "../../runs/sweeper.ts";
import type { DurableTextRunHost } from "./durable-text-run-host.ts";
import { RUN_NEVER_STARTED, RUN_OBJECT_LOST } from "./run-object-lost.ts";
import type { WorkerContext } from "./worker-context.ts";

/** Runs asked per sweep; the next cron tick takes the rest. */
const PROBES_PER_SWEEP = 500;
/** How long a run may stay queued on Workers before the sweep asks its object about it. */
export const QUEUED_GRACE_MS = 60_000;

export interface SweepReport {
  overdue: number;
  lost: number;
  settled: number;
}

export async function sweepRuns(
  context: WorkerContext,
  host: DurableTextRunHost,
  publicUrl: string,
): Promise<SweepReport> {
  const settlement = context.settlement(publicUrl);
  const nowMs = context.now();
  /** What the run's object says of it; one that does not answer counts as holding it. */
  const probe = (run: RunRecord) =>
    host
      .objectOf(run.id)
      .probe()
      .catch((cause: unknown) => {
        context.log({ level: "error", message: `run ${run.id}: its object did not answer the sweep`, cause });
        return "live" as const;
      });
  /** Ends a run no object holds, keeping what it said; false if it had ended meanwhile. */
  const endUnheld = async (run: RunRecord, error: string) =>
    (await endRunForPlatform(settlement, run, { status: "failed", error, endedAtMs: context.now() })) !==
    undefined;
  const overdue = await sweepOverdueRuns(
    { ...settlement, release: (ids, why) => host.cancel(ids, why) },
    nowMs,
  );
  let lost = 0;
  // Every run with a deadline that is still in flight: a deadline in the far future is "any".
  for (const run of await findOverdueRuns(context.db, Number.MAX_SAFE_INTEGER, PROBES_PER_SWEEP)) {
    // A voice run has no object: its sidecar holds it, and its deadline alone ends it (sidecar_lost).
    if (run.channel === "voice") continue;
    const answer = await probe(run);
    if (answer === "lost") lost++;
    // An object with no record of a started run lost its storage with it.
    if (answer !== "unknown") continue;
    if (await endUnheld(run, RUN_OBJECT_LOST)) lost++;
  }
  for (const run of await findQueuedRunsCreatedBefore(
    context.db,
    nowMs - QUEUED_GRACE_MS,
    PROBES_PER_SWEEP,
  )) {
    if (run.channel === "voice") continue;
    if ((await probe(run)) === "unknown" && (await endUnheld(run, RUN_NEVER_STARTED))) lost++;
  }
  let settled = 0;
  for (const testRun of await listRunningTestRuns(context.db, PROBES_PER_SWEEP)) {
    if (await settleTestRun(settlement, testRun.workspaceId, testRun.id)) settled++;
  }
  await context.wakeWebhooks();
  return { overdue: overdue.length, lost, settled };
}
