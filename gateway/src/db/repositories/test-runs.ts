/** Test runs: a batch of runs of one agent with a threshold, settled once into a verdict. */
import type { Channel } from "@spar/protocol";
import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { type JsonObject, runs, testRuns } from "../schema.ts";
import type { Saved } from "../write-result.ts";
import { getAgent } from "./agents.ts";

export type TestRunRecord = typeof testRuns.$inferSelect;

export interface TestRunInput {
  /** Must be an agent of the same workspace, else `{ok: false, missing: "agent_id"}`. */
  agentId: number;
  channel: Channel;
  /** Runs per scenario, 1–5. */
  frequency: number;
  /** Percent, 0–100. */
  successThreshold: number;
  name?: string | null;
  ciMetadata?: JsonObject | null;
}

/** How a test run's runs stand; `passed` counts runs that ended and passed everything. */
export interface TestRunTally {
  total: number;
  /** Still queued or running. */
  unfinished: number;
  completed: number;
  failed: number;
  interrupted: number;
  passed: number;
}

/** Starts `running` with verdict `pending`. */
export async function createTestRun(
  db: SparDatabase,
  workspaceId: number,
  input: TestRunInput,
  nowMs: number,
): Promise<Saved<TestRunRecord>> {
  if ((await getAgent(db, workspaceId, input.agentId)) === undefined)
    return { ok: false, missing: "agent_id" };
  const [row] = await db
    .insert(testRuns)
    .values({
      workspaceId,
      agentId: input.agentId,
      channel: input.channel,
      frequency: input.frequency,
      successThreshold: input.successThreshold,
      name: input.name ?? null,
      ciMetadata: input.ciMetadata ?? null,
      status: "running",
      verdict: "pending",
      createdAtMs: nowMs,
    })
    .returning();
  if (row === undefined) throw new Error("insert into test_runs returned no row");
  return { ok: true, row };
}

export async function getTestRun(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
): Promise<TestRunRecord | undefined> {
  const [row] = await db
    .select()
    .from(testRuns)
    .where(and(eq(testRuns.workspaceId, workspaceId), eq(testRuns.id, testRunId)));
  return row;
}

/** Newest first. */
export async function listTestRuns(
  db: SparDatabase,
  workspaceId: number,
  page: PageRequest,
): Promise<Page<TestRunRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(testRuns)
    .where(
      and(
        eq(testRuns.workspaceId, workspaceId),
        page.after === undefined ? undefined : lt(testRuns.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(testRuns.id))
    .limit(limit + 1);
  return toPage(rows, limit);
}

/** Counts from the stored runs (a verdict is computed from what is stored, never from memory). */
export async function tallyTestRun(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
): Promise<TestRunTally> {
  const [row] = await db
    .select(tallyColumns())
    .from(runs)
    .where(and(eq(runs.workspaceId, workspaceId), eq(runs.testRunId, testRunId)));
  return row ?? { total: 0, unfinished: 0, completed: 0, failed: 0, interrupted: 0, passed: 0 };
}

/** Runs of the test run still queued or running: a range of the outcome index, not every run. */
export async function countUnfinishedRuns(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(runs)
    .where(
      and(
        eq(runs.testRunId, testRunId),
        eq(runs.workspaceId, workspaceId),
        inArray(runs.status, ["queued", "running"]),
      ),
    );
  return row?.n ?? 0;
}

/**
 * The aggregate behind a TestRunTally, over the `runs` rows a query selects; named `n_…` so
 * that, as a subquery, its columns do not clash with a run's own (`passed`).
 */
export function tallyColumns() {
  const count = (condition: ReturnType<typeof sql>) =>
    sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;
  return {
    total: sql<number>`count(*)`.as("n_total"),
    unfinished: count(sql`${runs.status} in ('queued', 'running')`).as("n_unfinished"),
    completed: count(sql`${runs.status} = 'completed'`).as("n_completed"),
    failed: count(sql`${runs.status} = 'failed'`).as("n_failed"),
    interrupted: count(sql`${runs.status} = 'interrupted'`).as("n_interrupted"),
    passed: count(sql`${runs.passed} = 1`).as("n_passed"),
  };
}

/**
 * Settles a running test run: `done` with its verdict. True only for the one call that
 * settled it, so concurrent settlers (the last run's holder, the sweeper) send one webhook.
 */
export async function finishTestRun(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
  verdict: "passed" | "failed",
  nowMs: number,
): Promise<boolean> {
  const rows = await db
    .update(testRuns)
    .set({ status: "done", verdict, finishedAtMs: nowMs })
    .where(
      and(eq(testRuns.workspaceId, workspaceId), eq(testRuns.id, testRunId), eq(testRuns.status, "running")),
    )
    .returning({ id: testRuns.id });
  return rows.length === 1;
}

/** Every test run of every workspace still `running`, oldest first: what a restart settles. */
export async function listRunningTestRuns(db: SparDatabase, limit: number): Promise<TestRunRecord[]> {
  return db
    .select()
    .from(testRuns)
    .where(eq(testRuns.status, "running"))
    .orderBy(asc(testRuns.id))
    .limit(limit);
}
