/**
 * The voice job queue: a job is `queued` until a sidecar accepts it (`posted`). Claiming is one
 * UPDATE … RETURNING that pushes `next_attempt_at_ms` forward (a lease), so two pumps — two
 * Node timers, two Workers cron invocations — never post the same job at once, and a pump that
 * died mid-post leaves the job to be claimed again when its lease ends.
 */
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { runs, voiceJobs } from "../schema.ts";
import type { SealedSecret } from "../sealed-secret.ts";

export type VoiceJobRecord = typeof voiceJobs.$inferSelect;

export interface NewVoiceJob {
  runId: number;
  workspaceId: number;
  plan: SealedSecret;
}

export async function insertVoiceJobs(
  db: SparDatabase,
  jobs: readonly NewVoiceJob[],
  nowMs: number,
): Promise<void> {
  if (jobs.length === 0) return;
  await db.insert(voiceJobs).values(
    jobs.map((j) => ({
      runId: j.runId,
      workspaceId: j.workspaceId,
      planCiphertext: j.plan.ciphertext,
      planKeyId: j.plan.keyId,
      state: "queued" as const,
      attempts: 0,
      nextAttemptAtMs: nowMs,
    })),
  );
}

/**
 * Due queued jobs whose run is still queued, leased until `leaseUntilMs`, oldest first. A job
 * whose run ended meanwhile (swept, cancelled) is never claimed again.
 */
export async function claimDueVoiceJobs(
  db: SparDatabase,
  nowMs: number,
  leaseUntilMs: number,
  limit: number,
): Promise<VoiceJobRecord[]> {
  const due = db
    .select({ runId: voiceJobs.runId })
    .from(voiceJobs)
    .innerJoin(runs, eq(runs.id, voiceJobs.runId))
    .where(
      and(eq(voiceJobs.state, "queued"), lte(voiceJobs.nextAttemptAtMs, nowMs), eq(runs.status, "queued")),
    )
    .orderBy(asc(voiceJobs.nextAttemptAtMs), asc(voiceJobs.runId))
    .limit(limit);
  return db
    .update(voiceJobs)
    .set({ nextAttemptAtMs: leaseUntilMs, attempts: sql`${voiceJobs.attempts} + 1` })
    .where(
      and(
        inArray(voiceJobs.runId, due),
        eq(voiceJobs.state, "queued"),
        lte(voiceJobs.nextAttemptAtMs, nowMs),
      ),
    )
    .returning();
}

export async function markVoiceJobPosted(
  db: SparDatabase,
  runId: number,
  sidecarUrl: string,
  nowMs: number,
): Promise<void> {
  await db
    .update(voiceJobs)
    .set({ state: "posted", sidecarUrl, postedAtMs: nowMs, lastError: null })
    .where(eq(voiceJobs.runId, runId));
}

/** Back to the queue until `nextAttemptAtMs` (every sidecar full or unreachable). */
export async function rescheduleVoiceJob(
  db: SparDatabase,
  runId: number,
  nextAttemptAtMs: number,
  error: string,
): Promise<void> {
  await db
    .update(voiceJobs)
    .set({ nextAttemptAtMs, lastError: error.slice(0, 500) })
    .where(and(eq(voiceJobs.runId, runId), eq(voiceJobs.state, "queued")));
}

/** By run id alone: the result route is authenticated as a sidecar, not as a workspace. */
export async function getVoiceJob(db: SparDatabase, runId: number): Promise<VoiceJobRecord | undefined> {
  const [row] = await db.select().from(voiceJobs).where(eq(voiceJobs.runId, runId));
  return row;
}

/** The jobs of these runs a sidecar accepted, with the sidecar that holds each (for a cancel). */
export async function getPostedVoiceJobs(
  db: SparDatabase,
  runIds: readonly number[],
): Promise<{ runId: number; sidecarUrl: string }[]> {
  if (runIds.length === 0) return [];
  const rows = await db
    .select({ runId: voiceJobs.runId, sidecarUrl: voiceJobs.sidecarUrl })
    .from(voiceJobs)
    .where(and(inArray(voiceJobs.runId, [...runIds]), eq(voiceJobs.state, "posted")));
  return rows.flatMap((r) => (r.sidecarUrl === null ? [] : [{ runId: r.runId, sidecarUrl: r.sidecarUrl }]));
}
