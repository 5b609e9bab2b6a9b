/**
 * What a test run's view needs from its runs — the counts and the runs that did not pass — in
 * ONE statement, so the two always agree (one read snapshot), and without the transcripts: a
 * 1,000-run test run is read as one aggregate plus the few rows of its failures.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { SparDatabase } from "../database.ts";
import { runs } from "../schema.ts";
import type { RunRecord } from "./runs.ts";
import { type TestRunTally, tallyColumns } from "./test-runs.ts";

/** A run that ended without passing, with only what the view shows of it. */
export type UnpassedRun = Pick<
  RunRecord,
  "id" | "scenarioId" | "scenarioName" | "status" | "endedReason" | "error"
>;

export interface TestRunOutcome {
  tally: TestRunTally;
  /** In id order. */
  unpassed: UnpassedRun[];
}

const FINAL = ["completed", "failed", "interrupted"] as const;

export async function readTestRunOutcome(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
): Promise<TestRunOutcome> {
  const ofTestRun = and(eq(runs.workspaceId, workspaceId), eq(runs.testRunId, testRunId));
  const tally = db.select(tallyColumns()).from(runs).where(ofTestRun).as("tally");
  const unpassed = alias(runs, "unpassed");
  // The one-row aggregate LEFT JOINed to the failures: at least one row, even with none.
  const rows = await db
    .select({
      total: tally.total,
      unfinished: tally.unfinished,
      completed: tally.completed,
      failed: tally.failed,
      interrupted: tally.interrupted,
      passed: tally.passed,
      run: {
        id: unpassed.id,
        scenarioId: unpassed.scenarioId,
        scenarioName: unpassed.scenarioName,
        status: unpassed.status,
        endedReason: unpassed.endedReason,
        error: unpassed.error,
      },
    })
    .from(tally)
    .leftJoin(
      unpassed,
      and(
        eq(unpassed.workspaceId, workspaceId),
        eq(unpassed.testRunId, testRunId),
        inArray(unpassed.status, [...FINAL]),
        sql`coalesce(${unpassed.passed}, 0) = 0`,
      ),
    )
    .orderBy(asc(unpassed.id));
  const [first] = rows;
  const counts: TestRunTally = {
    total: first?.total ?? 0,
    unfinished: first?.unfinished ?? 0,
    completed: first?.completed ?? 0,
    failed: first?.failed ?? 0,
    interrupted: first?.interrupted ?? 0,
    passed: first?.passed ?? 0,
  };
  return { tally: counts, unpassed: rows.flatMap((r) => (r.run === null ? [] : [r.run])) };
}
