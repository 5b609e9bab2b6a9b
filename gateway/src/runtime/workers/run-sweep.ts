/**
 * The cron trigger's sweep (wrangler.toml `crons`), also run by `spar serve --runtime workers`
 * once at start, as Node recovers before it accepts requests. Three passes: runs past their
 * deadline end failed (sweeper.ts, shared with Node); every other started run's object is asked
 * whether it still holds the run — one that lost it (evicted, reset, restarted) ends it; then
 * test runs left running settle and the webhook object is woken.
 */
import { findOverdueRuns } from "../../db/repositories/runs.ts";
import { listRunningTestRuns } from "../../db/repositories/test-runs.ts";
import { endRun, settleTestRun, transcriptSoFar } from "../../runs/run-settlement.ts";
import { sweepOverdueRuns } from "../../runs/sweeper.ts";
import type { DurableTextRunHost } from "./durable-text-run-host.ts";
import { RUN_OBJECT_LOST } from "./run-object-lost.ts";
import type { WorkerContext } from "./worker-context.ts";

/** Runs asked per sweep; the next cron tick takes the rest. */
const PROBES_PER_SWEEP = 500;

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
  const overdue = await sweepOverdueRuns(
    { ...settlement, release: (ids, why) => host.cancel(ids, why) },
    nowMs,
  );
  let lost = 0;
  // Every run with a deadline that is still in flight: a deadline in the far future is "any".
  for (const run of await findOverdueRuns(context.db, Number.MAX_SAFE_INTEGER, PROBES_PER_SWEEP)) {
    const answer = await host
      .objectOf(run.id)
      .probe()
      .catch((cause: unknown) => {
        context.log({ level: "error", message: `run ${run.id}: its object did not answer the sweep`, cause });
        return "live" as const;
      });
    if (answer === "lost") lost++;
    // An object with no record of a started run lost its storage with it.
    if (answer !== "unknown") continue;
    const ended = await endRun(settlement, run.workspaceId, run.id, {
      status: "failed",
      endedReason: "internal_error",
      endedBy: "platform",
      passed: false,
      error: RUN_OBJECT_LOST,
      transcript: await transcriptSoFar(context.db, run),
      assertions: [],
      metrics: run.metrics,
      endedAtMs: context.now(),
    });
    if (ended) lost++;
  }
  let settled = 0;
  for (const testRun of await listRunningTestRuns(context.db, PROBES_PER_SWEEP)) {
    if (await settleTestRun(settlement, testRun.workspaceId, testRun.id)) settled++;
  }
  await context.wakeWebhooks();
  return { overdue: overdue.length, lost, settled };
}
