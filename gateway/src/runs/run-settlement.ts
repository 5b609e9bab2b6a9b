/**
 * How a run ends and a test run settles, whoever ends it (the run's holder, the sweeper, a
 * restart, a cancel): the ending is stored first (the first ending wins), then the `ended`
 * event, then webhooks — so nothing reports a run finished before its result is stored — and
 * the test run settles from its stored runs once none is in flight.
 */
import { type TranscriptEntry, transcriptEntrySchema, type WebhookEventType } from "@spar/protocol";
import type { SparDatabase } from "../db/database.ts";
import { appendRunEvent, listRunEvents } from "../db/repositories/run-events.ts";
import { finishRun, type RunEnding, type RunRecord } from "../db/repositories/runs.ts";
import { readTestRunOutcome } from "../db/repositories/test-run-outcome.ts";
import {
  countUnfinishedRuns,
  finishTestRun,
  getTestRun,
  type TestRunRecord,
  tallyTestRun,
} from "../db/repositories/test-runs.ts";
import { enqueueDelivery, getWebhooksForEvent } from "../db/repositories/webhooks.ts";
import { randomBase62 } from "../security/random-token.ts";
import { buildEvent } from "../webhooks/webhook-event.ts";
import type { RunEventBuffer } from "./run-event-buffer.ts";
import { passRate, runView, testRunView } from "./run-views.ts";

export interface SettlementDeps {
  db: SparDatabase;
  now: () => number;
  /** Base of `report_url` in test-run webhook bodies. */
  publicUrl: string;
  /** Called after deliveries are queued so the deliverer sends them now, not at its next poll. */
  wakeWebhooks: () => void;
  /** Webhook event ids; random `evt_…` by default. */
  newEventId?: () => string;
  /**
   * Where `ended` events go when given: stored with the next batch of run writes (within its
   * `flushEveryMs`), after the ending itself; without it each is its own write. A stream that
   * finds a run ended before its `ended` event waits for it (run-events-stream.ts).
   */
  events?: RunEventBuffer;
}

/**
 * Stores the ending and reports it. Undefined (and nothing reported) when the run had already
 * ended: the other ending was reported by whoever stored it.
 */
export async function endRun(
  deps: SettlementDeps,
  workspaceId: number,
  runId: number,
  ending: RunEnding,
): Promise<RunRecord | undefined> {
  const run = await finishRun(deps.db, workspaceId, runId, ending);
  if (run === undefined) return undefined;
  await reportEnded(deps, run);
  return run;
}

/**
 * After a run's ending is stored: its `ended` event, `run.finished`, and its test run's
 * settling. True when this call settled the test run.
 */
export async function reportEnded(deps: SettlementDeps, run: RunRecord): Promise<boolean> {
  const view = runView(run);
  const ended = { workspaceId: run.workspaceId, runId: run.id, type: "ended" as const, data: view };
  if (deps.events) deps.events.add({ ...ended, nowMs: deps.now() });
  else await appendRunEvent(deps.db, run.workspaceId, run.id, { ...ended, nowMs: deps.now() });
  const queued = await publish(deps, run.workspaceId, "run.finished", view);
  const settled = await settleTestRun(deps, run.workspaceId, run.testRunId);
  if (queued || settled) deps.wakeWebhooks();
  return settled;
}

/**
 * Settles the test run if none of its runs is in flight: verdict `passed` iff the pass rate (as
 * answered, one decimal) reaches the threshold. True only for the one caller that settled it,
 * which alone queues `test_run.finished`.
 */
export async function settleTestRun(
  deps: SettlementDeps,
  workspaceId: number,
  testRunId: number,
): Promise<boolean> {
  // Every run's end asks; only the last one needs the full count.
  if ((await countUnfinishedRuns(deps.db, workspaceId, testRunId)) > 0) return false;
  const tally = await tallyTestRun(deps.db, workspaceId, testRunId);
  if (tally.unfinished > 0) return false;
  const testRun = await getTestRun(deps.db, workspaceId, testRunId);
  if (testRun === undefined || testRun.status !== "running") return false;
  const verdict = passRate(tally.passed, tally.total) >= testRun.successThreshold ? "passed" : "failed";
  if (!(await finishTestRun(deps.db, workspaceId, testRunId, verdict, deps.now()))) return false;
  const settled = await getTestRun(deps.db, workspaceId, testRunId);
  if (settled === undefined) return true;
  const view = await storedTestRunView(deps.db, settled, deps.publicUrl);
  await publish(deps, workspaceId, "test_run.finished", view);
  return true;
}

/** The test run's view from storage, the same for the API and the `test_run.finished` webhook. */
export async function storedTestRunView(db: SparDatabase, testRun: TestRunRecord, publicUrl: string) {
  const outcome = await readTestRunOutcome(db, testRun.workspaceId, testRun.id);
  return testRunView(testRun, outcome.tally, outcome.unpassed, publicUrl);
}

/** Queues one event (one id, one body) for each of the workspace's webhooks subscribed to it. */
async function publish(
  deps: SettlementDeps,
  workspaceId: number,
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<boolean> {
  const hooks = await getWebhooksForEvent(deps.db, workspaceId, type);
  if (hooks.length === 0) return false;
  const nowMs = deps.now();
  const id = deps.newEventId?.() ?? `evt_${randomBase62(24)}`;
  const { body } = buildEvent({ id, type, createdAtMs: nowMs, data });
  for (const hook of hooks) {
    await enqueueDelivery(deps.db, workspaceId, { webhookId: hook.id, eventId: id, type, body, nowMs });
  }
  return true;
}

/** A run's events are bounded by its turns; this only stops a runaway read. */
const MAX_EVENTS = 10_000;

/**
 * What was said in a run ended by someone other than its holder (sweeper, cancel): the stored
 * transcript if the holder wrote one, else the entries of its `transcript` events.
 */
export async function transcriptSoFar(db: SparDatabase, run: RunRecord): Promise<TranscriptEntry[]> {
  if (run.transcript.length > 0) return run.transcript;
  const events = await listRunEvents(db, run.workspaceId, run.id, { afterSeq: 0, limit: MAX_EVENTS });
  return events.flatMap((e) => {
    // Loose: a voice entry's `start_ms`/`end_ms` stay with it.
    const entry = e.type === "transcript" ? transcriptEntrySchema.loose().safeParse(e.data) : undefined;
    return entry?.success ? [entry.data] : [];
  });
}

/**
 * Ends an in-flight run its holder no longer reports on (deadline passed, object lost, never
 * started, cancelled), keeping what it said: `failed` / `internal_error`, or `interrupted` for a
 * cancel; never passed. Undefined when the run had ended meanwhile (that ending stands).
 */
export async function endRunForPlatform(
  deps: SettlementDeps,
  run: RunRecord,
  ending: {
    status: "failed" | "interrupted";
    error: string;
    endedAtMs: number;
    /** A failed run's reason when not `internal_error` (a voice run its sidecar lost: `sidecar_lost`). */
    endedReason?: "sidecar_lost";
  },
): Promise<RunRecord | undefined> {
  return endRun(deps, run.workspaceId, run.id, {
    status: ending.status,
    endedReason: ending.status === "failed" ? (ending.endedReason ?? "internal_error") : "interrupted",
    endedBy: "platform",
    passed: false,
    error: ending.error,
    transcript: await transcriptSoFar(deps.db, run),
    assertions: [],
    metrics: run.metrics,
    endedAtMs: ending.endedAtMs,
  });
}
