/**
 * Runs: created `queued` with their test run, `running` once started, and ended exactly once —
 * a late event can never overwrite a final status, because every ending is conditional on the
 * run still being in flight.
 */
import type {
  AssertionResult,
  Channel,
  EndedBy,
  EndedReason,
  FinalRunStatus,
  TranscriptEntry,
} from "@spar/protocol";
import { and, asc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { type JsonObject, runs } from "../schema.ts";
import { getTestRun } from "./test-runs.ts";

export type RunRecord = typeof runs.$inferSelect;

export interface NewRun {
  agentId: number;
  scenarioId: number | null;
  scenarioName: string;
  attempt: number;
  channel: Channel;
  metadata?: JsonObject;
  /** Usually set when the run starts; a queued run may have one too (it then expires queued). */
  deadlineAtMs?: number | null;
}

export interface RunEnding {
  status: FinalRunStatus;
  endedReason: EndedReason;
  endedBy: EndedBy;
  passed: boolean;
  error: string | null;
  transcript: TranscriptEntry[];
  assertions: AssertionResult[];
  metrics: JsonObject;
  /** Replaces the stored metadata when given. */
  metadata?: JsonObject;
  recording?: JsonObject | null;
  endedAtMs: number;
}

const IN_FLIGHT = ["queued", "running"] as const;

/** All in one INSERT, so a test run never has half its runs. Undefined when the test run is not in the workspace. */
export async function createRuns(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
  newRuns: readonly NewRun[],
  nowMs: number,
): Promise<RunRecord[] | undefined> {
  if ((await getTestRun(db, workspaceId, testRunId)) === undefined) return undefined;
  if (newRuns.length === 0) return [];
  return db
    .insert(runs)
    .values(
      newRuns.map((run) => ({
        workspaceId,
        testRunId,
        agentId: run.agentId,
        scenarioId: run.scenarioId,
        scenarioName: run.scenarioName,
        attempt: run.attempt,
        channel: run.channel,
        status: "queued" as const,
        transcript: [],
        metadata: run.metadata ?? {},
        assertions: [],
        metrics: {},
        createdAtMs: nowMs,
        deadlineAtMs: run.deadlineAtMs ?? null,
      })),
    )
    .returning();
}

export async function getRun(
  db: SparDatabase,
  workspaceId: number,
  runId: number,
): Promise<RunRecord | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.workspaceId, workspaceId), eq(runs.id, runId)));
  return row;
}

/** The workspace's runs among `ids`, in id order; ids of other workspaces are simply absent. */
export async function getRunsByIds(
  db: SparDatabase,
  workspaceId: number,
  ids: readonly number[],
): Promise<RunRecord[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(runs)
    .where(and(eq(runs.workspaceId, workspaceId), inArray(runs.id, [...new Set(ids)])))
    .orderBy(asc(runs.id));
}

/** Every run of the test run, in id order (bounded: scenarios × frequency). */
export async function listRunsOfTestRun(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
): Promise<RunRecord[]> {
  return db
    .select()
    .from(runs)
    .where(and(eq(runs.workspaceId, workspaceId), eq(runs.testRunId, testRunId)))
    .orderBy(asc(runs.id));
}

/** queued → running. False when the run is not in the workspace or no longer queued. */
export async function startRun(
  db: SparDatabase,
  workspaceId: number,
  runId: number,
  times: { startedAtMs: number; deadlineAtMs: number },
): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ status: "running", startedAtMs: times.startedAtMs, deadlineAtMs: times.deadlineAtMs })
    .where(and(eq(runs.workspaceId, workspaceId), eq(runs.id, runId), eq(runs.status, "queued")))
    .returning({ id: runs.id });
  return rows.length === 1;
}

/**
 * Stores a run's ending. Undefined when the run is not in the workspace or has already ended:
 * the first ending wins (the holder's result or the sweeper's timeout, never both).
 */
export async function finishRun(
  db: SparDatabase,
  workspaceId: number,
  runId: number,
  ending: RunEnding,
): Promise<RunRecord | undefined> {
  const [row] = await db
    .update(runs)
    .set({
      status: ending.status,
      endedReason: ending.endedReason,
      endedBy: ending.endedBy,
      passed: ending.passed,
      error: ending.error,
      transcript: ending.transcript,
      assertions: ending.assertions,
      metrics: ending.metrics,
      ...(ending.metadata === undefined ? {} : { metadata: ending.metadata }),
      ...(ending.recording === undefined ? {} : { recording: ending.recording }),
      endedAtMs: ending.endedAtMs,
    })
    .where(and(eq(runs.workspaceId, workspaceId), eq(runs.id, runId), inArray(runs.status, [...IN_FLIGHT])))
    .returning();
  return row;
}

/** For the sweeper, across workspaces: runs still in flight whose deadline has passed, oldest deadline first. */
export async function findOverdueRuns(db: SparDatabase, nowMs: number, limit: number): Promise<RunRecord[]> {
  return db
    .select()
    .from(runs)
    .where(
      and(inArray(runs.status, [...IN_FLIGHT]), isNotNull(runs.deadlineAtMs), lte(runs.deadlineAtMs, nowMs)),
    )
    .orderBy(asc(runs.deadlineAtMs), asc(runs.id))
    .limit(limit);
}

/**
 * At start, before accepting requests, across workspaces: every run still queued or running
 * had its holder in the previous process, so it ends `failed` / `internal_error` with `error`.
 * Answers the runs it ended, so their test runs can be settled.
 */
export async function failInFlightRuns(
  db: SparDatabase,
  ending: { error: string; endedAtMs: number },
): Promise<RunRecord[]> {
  return db
    .update(runs)
    .set({
      status: "failed",
      endedReason: "internal_error",
      endedBy: "platform",
      passed: false,
      error: ending.error,
      endedAtMs: ending.endedAtMs,
    })
    .where(inArray(runs.status, [...IN_FLIGHT]))
    .returning();
}
