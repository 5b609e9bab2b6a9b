/** Browser sessions (schema/sessions.ts): recorded when started, ended when their room is deleted. */
import { and, eq, isNull } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { livekitSessions } from "../schema.ts";

export type LivekitSessionRecord = typeof livekitSessions.$inferSelect;

export interface NewLivekitSession {
  roomName: string;
  agentId: number;
  userId: number;
  livekitUrl: string;
}

export async function createLivekitSession(
  db: SparDatabase,
  workspaceId: number,
  session: NewLivekitSession,
  nowMs: number,
): Promise<LivekitSessionRecord> {
  const [row] = await db
    .insert(livekitSessions)
    .values({ workspaceId, ...session, createdAtMs: nowMs, endedAtMs: null })
    .returning();
  if (row === undefined) throw new Error("the session row was not returned by INSERT … RETURNING");
  return row;
}

/** The workspace's session of that room; another workspace's is undefined, as if it did not exist. */
export async function getLivekitSession(
  db: SparDatabase,
  workspaceId: number,
  roomName: string,
): Promise<LivekitSessionRecord | undefined> {
  const [row] = await db
    .select()
    .from(livekitSessions)
    .where(and(eq(livekitSessions.workspaceId, workspaceId), eq(livekitSessions.roomName, roomName)))
    .limit(1);
  return row;
}

/** Marks the session ended; a session already ended keeps its first end time. */
export async function endLivekitSession(
  db: SparDatabase,
  workspaceId: number,
  roomName: string,
  nowMs: number,
): Promise<void> {
  await db
    .update(livekitSessions)
    .set({ endedAtMs: nowMs })
    .where(
      and(
        eq(livekitSessions.workspaceId, workspaceId),
        eq(livekitSessions.roomName, roomName),
        isNull(livekitSessions.endedAtMs),
      ),
    );
}

/** Removes a session whose room was never made (its start failed), freeing nothing else. */
export async function deleteLivekitSession(
  db: SparDatabase,
  workspaceId: number,
  roomName: string,
): Promise<void> {
  await db
    .delete(livekitSessions)
    .where(and(eq(livekitSessions.workspaceId, workspaceId), eq(livekitSessions.roomName, roomName)));
}
