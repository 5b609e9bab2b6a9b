/** A run's event log, the source of `GET /v1/runs/{id}/events` (SSE ids are the `seq`). */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { type RunEventType, runEvents, runs } from "../schema.ts";
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

export interface NewRunEvent {
  workspaceId: number;
  runId: number;
  type: RunEventType;
  data: unknown;
  nowMs: number;
  /** A voice run's live event: the sidecar's seq for it; an event with a seq already stored is skipped. */
  sourceSeq?: number;
}

/**
 * Appends many events, of any runs, in ONE statement (one write, one commit): each run's
 * events get its next seqs in the order given. The events travel as one JSON parameter read
 * back with json_each (D1 binds at most 100 parameters). Only events of runs in their
 * workspace are stored, and of those only `ended` events once a run has ended — any other event
 * after the end would be one no stream sends — and no event whose `sourceSeq` the run already
 * has (two followers of one sidecar stream store each of its events once; the statement runs
 * under the write lock, so the check cannot race); the stored ones are answered as
 * `{runId, seq}`, by run, then seq.
 */
export async function appendRunEvents(
  db: SparDatabase,
  events: readonly NewRunEvent[],
): Promise<{ runId: number; seq: number }[]> {
  const seen = new Set<string>();
  const unique = events.filter((e) => {
    if (e.sourceSeq === undefined) return true;
    const key = `${e.runId}:${e.sourceSeq}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return [];
  const payload = JSON.stringify(
    unique.map((e) => ({
      w: e.workspaceId,
      r: e.runId,
      t: e.type,
      d: JSON.stringify(e.data),
      at: e.nowMs,
      s: e.sourceSeq ?? null,
    })),
  );
  // SQLite reads the whole SELECT before inserting when it reads the table it inserts into,
  // so max(seq) is each run's last seq before this statement.
  const rows = sql`
    select null, ${runs.workspaceId}, ${runs.id},
      coalesce((select max(e.seq) from ${runEvents} e where e.run_id = ${runs.id}), 0)
        + row_number() over (partition by ${runs.id} order by j.key),
      json_extract(j.value, '$.t'), json_extract(j.value, '$.d'), json_extract(j.value, '$.at'),
      json_extract(j.value, '$.s')
    from json_each(${payload}) j
    join ${runs} on ${runs.id} = json_extract(j.value, '$.r')
      and ${runs.workspaceId} = json_extract(j.value, '$.w')
      and (${runs.status} in ('queued', 'running') or json_extract(j.value, '$.t') = 'ended')
    where json_extract(j.value, '$.s') is null or not exists (
      select 1 from ${runEvents} e
      where e.run_id = ${runs.id} and e.source_seq = json_extract(j.value, '$.s'))
    order by j.key`;
  const inserted = await db
    .insert(runEvents)
    .select(rows)
    .returning({ runId: runEvents.runId, seq: runEvents.seq });
  return inserted.sort((a, b) => a.runId - b.runId || a.seq - b.seq);
}

/** The sidecar seq of the run's last stored live event (0 when none): where its follower resumes. */
export async function lastSourceSeq(db: SparDatabase, runId: number): Promise<number> {
  const [row] = await db
    .select({ last: sql<number | null>`max(${runEvents.sourceSeq})` })
    .from(runEvents)
    .where(eq(runEvents.runId, runId));
  return row?.last ?? 0;
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
