/** Workspaces, their users and their API keys (stored as hashes only). */
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { apiKeys, users, workspaceCredits, workspaces } from "../schema.ts";

export type WorkspaceRecord = typeof workspaces.$inferSelect;
export type UserRecord = typeof users.$inferSelect;
export type ApiKeyRecord = typeof apiKeys.$inferSelect;

export async function createWorkspace(
  db: SparDatabase,
  input: { name: string; nowMs: number },
): Promise<WorkspaceRecord> {
  const [row] = await db
    .insert(workspaces)
    .values({ name: input.name, createdAtMs: input.nowMs })
    .returning();
  if (row === undefined) throw new Error("insert into workspaces returned no row");
  // Every workspace has a balance row from birth, so a debit never races its creation.
  await db.insert(workspaceCredits).values({ workspaceId: row.id, balance: 0 }).onConflictDoNothing();
  return row;
}

export async function getWorkspace(
  db: SparDatabase,
  workspaceId: number,
): Promise<WorkspaceRecord | undefined> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row;
}

/** False on an empty database: the first start then creates workspace `default`. */
export async function hasAnyWorkspace(db: SparDatabase): Promise<boolean> {
  const rows = await db.select({ id: workspaces.id }).from(workspaces).limit(1);
  return rows.length > 0;
}

/** Undefined when the workspace does not exist. */
export async function createUser(
  db: SparDatabase,
  workspaceId: number,
  input: { name: string; nowMs: number },
): Promise<UserRecord | undefined> {
  // Workspaces are never deleted, so checking first cannot race a delete.
  if ((await getWorkspace(db, workspaceId)) === undefined) return undefined;
  const [row] = await db
    .insert(users)
    .values({ workspaceId, name: input.name, createdAtMs: input.nowMs })
    .returning();
  return row;
}

export async function getUser(
  db: SparDatabase,
  workspaceId: number,
  userId: number,
): Promise<UserRecord | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
  return row;
}

export interface ApiKeyInsert {
  userId: number;
  name: string;
  /** The visible start of the key, shown in lists. */
  prefix: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  hash: string;
  nowMs: number;
}

/** Undefined when the user is not in the workspace. */
export async function createApiKey(
  db: SparDatabase,
  workspaceId: number,
  input: ApiKeyInsert,
): Promise<ApiKeyRecord | undefined> {
  // Users are never deleted, so checking first cannot race a delete.
  if ((await getUser(db, workspaceId, input.userId)) === undefined) return undefined;
  const [row] = await db
    .insert(apiKeys)
    .values({
      workspaceId,
      userId: input.userId,
      name: input.name,
      prefix: input.prefix,
      hash: input.hash,
      createdAtMs: input.nowMs,
    })
    .returning();
  return row;
}

export async function listApiKeys(
  db: SparDatabase,
  workspaceId: number,
  page: PageRequest,
): Promise<Page<ApiKeyRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.workspaceId, workspaceId),
        page.after === undefined ? undefined : lt(apiKeys.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
  return toPage(rows, limit);
}

/** The authentication lookup: a live (not revoked) key with this hash, in any workspace. */
export async function findApiKeyByHash(db: SparDatabase, hash: string): Promise<ApiKeyRecord | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAtMs)));
  return row;
}

export async function touchApiKey(db: SparDatabase, apiKeyId: number, nowMs: number): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAtMs: nowMs }).where(eq(apiKeys.id, apiKeyId));
}

/** False when no live key with this id is in the workspace (already revoked counts as gone). */
export async function revokeApiKey(
  db: SparDatabase,
  workspaceId: number,
  apiKeyId: number,
  nowMs: number,
): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAtMs: nowMs })
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, apiKeyId), isNull(apiKeys.revokedAtMs)))
    .returning({ id: apiKeys.id });
  return rows.length === 1;
}
