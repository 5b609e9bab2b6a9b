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
import { and, asc, eq, getTableColumns, inArray, isNotNull, lte, type SQL, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { inJsonList } from "../json-list.ts";
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
  /** The holder's measure; absent when the platform ended the run (then ended − started). */
  durationMs?: number;
  transcript: TranscriptEntry[];
  assertions: AssertionResult[];
  metrics: JsonObject;
  /** Replaces the stored metadata when given. */
  metadata?: JsonObject;
  recording?: JsonObject | null;
  endedAtMs: number;
}

const IN_FLIGHT = ["queued", "running"] as const;

type RunColumn = keyof typeof runs.$inferSelect;

/**
 * All in one INSERT, so a test run never has half its runs. The runs travel as ONE JSON
 * parameter read back with json_each: a multi-row VALUES would bind ~15 parameters per run,
 * and D1 refuses more than 100 in a query. Undefined when the test run is not in the workspace.
 */
export async function createRuns(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
  newRuns: readonly NewRun[],
  nowMs: number,
): Promise<RunRecord[] | undefined> {
  if ((await getTestRun(db, workspaceId, testRunId)) === undefined) return undefined;
  if (newRuns.length === 0) return [];
  const payload = newRuns.map((run) => ({
    agentId: run.agentId,
    scenarioId: run.scenarioId,
    scenarioName: run.scenarioName,
    attempt: run.attempt,
    channel: run.channel,
    metadata: run.metadata ?? {},
    deadlineAtMs: run.deadlineAtMs ?? null,
  }));
  const field = (name: keyof (typeof payload)[number]) => sql.raw(`json_extract(value, '$.${name}')`);
  // A Record over every column: adding a column to `runs` fails to compile until it is given here.
  const values: Record<RunColumn, SQL> = {
    id: sql`null`,
    workspaceId: sql`${workspaceId}`,
    testRunId: sql`${testRunId}`,
    agentId: field("agentId"),
    scenarioId: field("scenarioId"),
    scenarioName: field("scenarioName"),
    attempt: field("attempt"),
    channel: field("channel"),
    status: sql`'queued'`,
    endedReason: sql`null`,
    endedBy: sql`null`,
    passed: sql`null`,
    error: sql`null`,
    transcript: sql`'[]'`,
    metadata: field("metadata"),
    assertions: sql`'[]'`,
    metrics: sql`'{}'`,
    recording: sql`null`,
    createdAtMs: sql`${nowMs}`,
    startedAtMs: sql`null`,
    endedAtMs: sql`null`,
    deadlineAtMs: field("deadlineAtMs"),
    durationMs: sql`null`,
  };
  // INSERT … SELECT pairs by position, in the table's column order.
  const ordered = Object.keys(getTableColumns(runs)).map((column) => values[column as RunColumn]);
  const rows = await db
    .insert(runs)
    .select(sql`select ${sql.join(ordered, sql`, `)} from json_each(${JSON.stringify(payload)}) order by key`)
    .returning();
  return rows.sort((a, b) => a.id - b.id);
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
    .where(and(eq(runs.workspaceId, workspaceId), inJsonList(runs.id, ids)))
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

/** The test run's runs still queued or running, in id order: what a cancel must end. */
export async function listInFlightRuns(
  db: SparDatabase,
  workspaceId: number,
  testRunId: number,
): Promise<RunRecord[]> {
  return db
    .select()
    .from(runs)
    .where(
      and(
        eq(runs.workspaceId, workspaceId),
        eq(runs.testRunId, testRunId),
        inArray(runs.status, [...IN_FLIGHT]),
      ),
    )
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

export interface RunStart {
  workspaceId: number;
  runId: number;
  startedAtMs: number;
  deadlineAtMs: number;
}

/**
 * queued → running for many runs in ONE statement (UPDATE … FROM json_each: one parameter,
 * one commit). Runs not in their workspace or no longer queued are left as they are.
 */
export async function startRuns(db: SparDatabase, starts: readonly RunStart[]): Promise<void> {
  if (starts.length === 0) return;
  const payload = JSON.stringify(
    starts.map((s) => ({ w: s.workspaceId, r: s.runId, s: s.startedAtMs, d: s.deadlineAtMs })),
  );
  await db.run(sql`
    update ${runs} set
      status = 'running',
      started_at_ms = json_extract(j.value, '$.s'),
      deadline_at_ms = json_extract(j.value, '$.d')
    from json_each(${payload}) j
    where ${runs.id} = json_extract(j.value, '$.r')
      and ${runs.workspaceId} = json_extract(j.value, '$.w')
      and ${runs.status} = 'queued'`);
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
      ...(ending.durationMs === undefined ? {} : { durationMs: ending.durationMs }),
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
 * For a runtime that queues nothing (Workers), across workspaces: runs still `queued` that were
 * created at or before `createdBeforeMs`, oldest first — their submission never reached a holder.
 */
export async function findQueuedRunsCreatedBefore(
  db: SparDatabase,
  createdBeforeMs: number,
  limit: number,
): Promise<RunRecord[]> {
  return db
    .select()
    .from(runs)
    .where(and(eq(runs.status, "queued"), lte(runs.createdAtMs, createdBeforeMs)))
    .orderBy(asc(runs.createdAtMs), asc(runs.id))
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
