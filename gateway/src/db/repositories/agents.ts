/** Agents: their channels (secrets sealed in separate columns) and the metrics run on them. */
import { and, desc, eq, lt } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { agents, type JsonObject, type StoredTextChannel } from "../schema.ts";
import { type SealedSecret, sealedFrom } from "../sealed-secret.ts";
import { isUniqueViolation, type Saved } from "../write-result.ts";
import { allMetricsExist } from "./metrics.ts";

export interface AgentRecord {
  id: number;
  workspaceId: number;
  key: string | null;
  name: string;
  text: StoredTextChannel | null;
  textSecret: SealedSecret | null;
  voice: JsonObject | null;
  voiceApiSecret: SealedSecret | null;
  metricIds: number[];
  createdAtMs: number;
  updatedAtMs: number;
}

/** On create an absent field is empty (null, `[]`); on update or upsert it keeps its value. */
export interface AgentInput {
  key?: string | null;
  name: string;
  text?: StoredTextChannel | null;
  /** `null` clears the secret. */
  textSecret?: SealedSecret | null;
  voice?: JsonObject | null;
  voiceApiSecret?: SealedSecret | null;
  /** Every id must be a metric of the same workspace, else `{ok: false, missing: "metric_ids"}`. */
  metricIds?: number[];
}

export type AgentPatch = Partial<AgentInput>;

type AgentRow = typeof agents.$inferSelect;
type AgentColumns = Partial<typeof agents.$inferInsert>;

function toAgent(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    key: row.key,
    name: row.name,
    text: row.text,
    textSecret: sealedFrom(row.textSecretCiphertext, row.textSecretKeyId),
    voice: row.voice,
    voiceApiSecret: sealedFrom(row.voiceApiSecretCiphertext, row.voiceApiSecretKeyId),
    metricIds: row.metricIds,
    createdAtMs: row.createdAtMs,
    updatedAtMs: row.updatedAtMs,
  };
}

/** Only the fields the patch names, so an omitted secret is left exactly as stored. */
function toColumns(patch: AgentPatch): AgentColumns {
  const columns: AgentColumns = {};
  if (patch.key !== undefined) columns.key = patch.key;
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.text !== undefined) columns.text = patch.text;
  if (patch.textSecret !== undefined) {
    columns.textSecretCiphertext = patch.textSecret?.ciphertext ?? null;
    columns.textSecretKeyId = patch.textSecret?.keyId ?? null;
  }
  if (patch.voice !== undefined) columns.voice = patch.voice;
  if (patch.voiceApiSecret !== undefined) {
    columns.voiceApiSecretCiphertext = patch.voiceApiSecret?.ciphertext ?? null;
    columns.voiceApiSecretKeyId = patch.voiceApiSecret?.keyId ?? null;
  }
  if (patch.metricIds !== undefined) columns.metricIds = [...new Set(patch.metricIds)];
  return columns;
}

function newRow(workspaceId: number, input: AgentInput, nowMs: number): typeof agents.$inferInsert {
  return {
    metricIds: [],
    ...toColumns(input),
    workspaceId,
    name: input.name,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
}

export async function createAgent(
  db: SparDatabase,
  workspaceId: number,
  input: AgentInput,
  nowMs: number,
): Promise<Saved<AgentRecord>> {
  if (!(await allMetricsExist(db, workspaceId, input.metricIds ?? [])))
    return { ok: false, missing: "metric_ids" };
  const [row] = await db
    .insert(agents)
    .values(newRow(workspaceId, input, nowMs))
    .onConflictDoNothing({ target: [agents.workspaceId, agents.key] })
    .returning();
  return row === undefined ? { ok: false, conflict: "key" } : { ok: true, row: toAgent(row) };
}

/** Suites as code: creates the agent with this key, or updates the one that has it. */
export async function upsertAgentByKey(
  db: SparDatabase,
  workspaceId: number,
  key: string,
  input: Omit<AgentInput, "key">,
  nowMs: number,
): Promise<Saved<AgentRecord>> {
  if (!(await allMetricsExist(db, workspaceId, input.metricIds ?? [])))
    return { ok: false, missing: "metric_ids" };
  const [row] = await db
    .insert(agents)
    .values(newRow(workspaceId, { ...input, key }, nowMs))
    .onConflictDoUpdate({
      target: [agents.workspaceId, agents.key],
      set: { ...toColumns(input), updatedAtMs: nowMs },
    })
    .returning();
  if (row === undefined) throw new Error("upsert into agents returned no row");
  return { ok: true, row: toAgent(row) };
}

export async function getAgent(
  db: SparDatabase,
  workspaceId: number,
  agentId: number,
): Promise<AgentRecord | undefined> {
  const [row] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, agentId)));
  return row === undefined ? undefined : toAgent(row);
}

export async function getAgentByKey(
  db: SparDatabase,
  workspaceId: number,
  key: string,
): Promise<AgentRecord | undefined> {
  const [row] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.key, key)));
  return row === undefined ? undefined : toAgent(row);
}

export async function listAgents(
  db: SparDatabase,
  workspaceId: number,
  page: PageRequest,
): Promise<Page<AgentRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.workspaceId, workspaceId),
        page.after === undefined ? undefined : lt(agents.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(agents.id))
    .limit(limit + 1);
  return toPage(rows.map(toAgent), limit);
}

/** Undefined when the agent is not in the workspace. */
export async function updateAgent(
  db: SparDatabase,
  workspaceId: number,
  agentId: number,
  patch: AgentPatch,
  nowMs: number,
): Promise<Saved<AgentRecord> | undefined> {
  if (patch.metricIds !== undefined && !(await allMetricsExist(db, workspaceId, patch.metricIds))) {
    return { ok: false, missing: "metric_ids" };
  }
  try {
    const [row] = await db
      .update(agents)
      .set({ ...toColumns(patch), updatedAtMs: nowMs })
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, agentId)))
      .returning();
    return row === undefined ? undefined : { ok: true, row: toAgent(row) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, conflict: "key" };
    throw error;
  }
}

/** False when the agent is not in the workspace. Its scenarios stay, unattached. */
export async function deleteAgent(db: SparDatabase, workspaceId: number, agentId: number): Promise<boolean> {
  const rows = await db
    .delete(agents)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, agentId)))
    .returning({ id: agents.id });
  return rows.length === 1;
}
