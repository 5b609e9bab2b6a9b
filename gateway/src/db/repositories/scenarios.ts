/** Scenarios: suite-file scenarios kept in a workspace, optionally attached to an agent. */
import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { inJsonList } from "../json-list.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { type ScenarioBody, scenarios } from "../schema.ts";
import { isForeignKeyViolation, isUniqueViolation, type Saved } from "../write-result.ts";
import { getAgent } from "./agents.ts";

export type ScenarioRecord = typeof scenarios.$inferSelect;

/** On create an absent field is empty (null, `[]`); on update or upsert it keeps its value. */
export interface ScenarioInput {
  key?: string | null;
  /** Must be an agent of the same workspace, else `{ok: false, missing: "agent_id"}`. */
  agentId?: number | null;
  name?: string | null;
  tags?: string[];
  body: ScenarioBody;
  expectedOutcome?: string | null;
}

export type ScenarioPatch = Partial<ScenarioInput>;

export interface ScenarioFilter {
  agentId?: number | undefined;
  tag?: string | undefined;
}

type ScenarioColumns = Partial<typeof scenarios.$inferInsert>;

function toColumns(patch: ScenarioPatch): ScenarioColumns {
  const columns: ScenarioColumns = {};
  if (patch.key !== undefined) columns.key = patch.key;
  if (patch.agentId !== undefined) columns.agentId = patch.agentId;
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.tags !== undefined) columns.tags = [...new Set(patch.tags)];
  if (patch.body !== undefined) columns.body = patch.body;
  if (patch.expectedOutcome !== undefined) columns.expectedOutcome = patch.expectedOutcome;
  return columns;
}

function newRow(workspaceId: number, input: ScenarioInput, nowMs: number): typeof scenarios.$inferInsert {
  return {
    tags: [],
    ...toColumns(input),
    workspaceId,
    body: input.body,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
}

async function agentMissing(db: SparDatabase, workspaceId: number, agentId: number | null | undefined) {
  return (
    agentId !== undefined && agentId !== null && (await getAgent(db, workspaceId, agentId)) === undefined
  );
}

/** Writes, mapping SQLite's constraint errors to the typed outcomes callers branch on. */
async function saving(
  write: () => Promise<ScenarioRecord | undefined>,
): Promise<Saved<ScenarioRecord> | undefined> {
  try {
    const row = await write();
    return row === undefined ? undefined : { ok: true, row };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, conflict: "key" };
    // The agent was deleted between the check and the write.
    if (isForeignKeyViolation(error)) return { ok: false, missing: "agent_id" };
    throw error;
  }
}

export async function createScenario(
  db: SparDatabase,
  workspaceId: number,
  input: ScenarioInput,
  nowMs: number,
): Promise<Saved<ScenarioRecord>> {
  if (await agentMissing(db, workspaceId, input.agentId)) return { ok: false, missing: "agent_id" };
  const saved = await saving(async () => {
    const [row] = await db
      .insert(scenarios)
      .values(newRow(workspaceId, input, nowMs))
      .onConflictDoNothing({ target: [scenarios.workspaceId, scenarios.key] })
      .returning();
    return row;
  });
  return saved ?? { ok: false, conflict: "key" };
}

/** Suites as code: creates the scenario with this key, or updates the one that has it. */
export async function upsertScenarioByKey(
  db: SparDatabase,
  workspaceId: number,
  key: string,
  input: Omit<ScenarioInput, "key">,
  nowMs: number,
): Promise<Saved<ScenarioRecord>> {
  if (await agentMissing(db, workspaceId, input.agentId)) return { ok: false, missing: "agent_id" };
  const saved = await saving(async () => {
    const [row] = await db
      .insert(scenarios)
      .values(newRow(workspaceId, { ...input, key }, nowMs))
      .onConflictDoUpdate({
        target: [scenarios.workspaceId, scenarios.key],
        set: { ...toColumns(input), updatedAtMs: nowMs },
      })
      .returning();
    return row;
  });
  if (saved === undefined) throw new Error("upsert into scenarios returned no row");
  return saved;
}

export async function getScenario(
  db: SparDatabase,
  workspaceId: number,
  scenarioId: number,
): Promise<ScenarioRecord | undefined> {
  const [row] = await db
    .select()
    .from(scenarios)
    .where(and(eq(scenarios.workspaceId, workspaceId), eq(scenarios.id, scenarioId)));
  return row;
}

/** The workspace's scenarios among `ids`, in id order; ids of other workspaces are simply absent. */
export async function getScenariosByIds(
  db: SparDatabase,
  workspaceId: number,
  ids: readonly number[],
): Promise<ScenarioRecord[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(scenarios)
    .where(and(eq(scenarios.workspaceId, workspaceId), inJsonList(scenarios.id, ids)))
    .orderBy(scenarios.id);
}

function hasAnyTag(tags: readonly string[]): SQL {
  return sql`exists (select 1 from json_each(${scenarios.tags}) as tag where ${inJsonList(sql`tag.value`, tags)})`;
}

/** Every scenario of the workspace carrying at least one of `tags`, in id order (a test run's selection). */
export async function getScenariosWithAnyTag(
  db: SparDatabase,
  workspaceId: number,
  tags: readonly string[],
): Promise<ScenarioRecord[]> {
  if (tags.length === 0) return [];
  return db
    .select()
    .from(scenarios)
    .where(and(eq(scenarios.workspaceId, workspaceId), hasAnyTag(tags)))
    .orderBy(scenarios.id);
}

export async function listScenarios(
  db: SparDatabase,
  workspaceId: number,
  filter: ScenarioFilter,
  page: PageRequest,
): Promise<Page<ScenarioRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(scenarios)
    .where(
      and(
        eq(scenarios.workspaceId, workspaceId),
        filter.agentId === undefined ? undefined : eq(scenarios.agentId, filter.agentId),
        filter.tag === undefined ? undefined : hasAnyTag([filter.tag]),
        page.after === undefined ? undefined : lt(scenarios.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(scenarios.id))
    .limit(limit + 1);
  return toPage(rows, limit);
}

/** Undefined when the scenario is not in the workspace. */
export async function updateScenario(
  db: SparDatabase,
  workspaceId: number,
  scenarioId: number,
  patch: ScenarioPatch,
  nowMs: number,
): Promise<Saved<ScenarioRecord> | undefined> {
  if (await agentMissing(db, workspaceId, patch.agentId)) return { ok: false, missing: "agent_id" };
  return saving(async () => {
    const [row] = await db
      .update(scenarios)
      .set({ ...toColumns(patch), updatedAtMs: nowMs })
      .where(and(eq(scenarios.workspaceId, workspaceId), eq(scenarios.id, scenarioId)))
      .returning();
    return row;
  });
}

/** False when the scenario is not in the workspace. Runs keep its id and name. */
export async function deleteScenario(
  db: SparDatabase,
  workspaceId: number,
  scenarioId: number,
): Promise<boolean> {
  const rows = await db
    .delete(scenarios)
    .where(and(eq(scenarios.workspaceId, workspaceId), eq(scenarios.id, scenarioId)))
    .returning({ id: scenarios.id });
  return rows.length === 1;
}
