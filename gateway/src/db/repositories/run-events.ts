/** A run's event log, the source of `GET /v1/runs/{id}/events` (SSE ids are the `seq`). */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { type RunEventType, runEvents } from "../schema.ts";
import { getRun } from "./runs.ts";

export type RunEventRecord = typeof runEvents.$inferSelect;

/**
 * Appends with the next `seq` of the run (1, 2, 3…). The seq is computed inside the INSERT,
 * which SQLite runs under the write lock, so concurrent appenders — even in other processes —
 * get distinct, increasing numbers. Undefined when the run is not in the workspace.
 */
export async function appendRunEvent(
  db: SparDatabase,
  workspaceId: number,
  runId: number,
  event: { type: RunEventType; data: unknown; nowMs: number },
): Promise<RunEventRecord | undefined> {
  // Runs are never deleted, so checking first cannot race a delete.
  if ((await getRun(db, workspaceId, runId)) === undefined) return undefined;
  const [row] = await db
    .insert(runEvents)
    .values({
      workspaceId,
      runId,
      seq: sql`(select coalesce(max(${runEvents.seq}), 0) + 1 from ${runEvents} where ${runEvents.runId} = ${runId})`,
      type: event.type,
      data: event.data,
      createdAtMs: event.nowMs,
    })
    .returning();
  return row;
}

/** Events with `seq > afterSeq`, in order (`afterSeq` 0 reads from the start; `Last-Event-ID` resumes). */
export async function listRunEvents(
  db: SparDatabase,
  workspaceId: number,
  runId: number,
  query: { afterSeq: number; limit: number },
): Promise<RunEventRecord[]> {
  return db
    .select()
    .from(runEvents)
    .where(
      and(
        eq(runEvents.workspaceId, workspaceId),
        eq(runEvents.runId, runId),
        gt(runEvents.seq, query.afterSeq),
      ),
    )
    .orderBy(asc(runEvents.seq))
    .limit(Math.max(1, Math.trunc(query.limit)));
}
