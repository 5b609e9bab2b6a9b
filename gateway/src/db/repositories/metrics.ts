/** Metrics: judges and assertions attached to agents and run after a scenario's own checks. */
import type { Assertion } from "@spar/protocol";
import { and, desc, eq, lt } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { inJsonList } from "../json-list.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { type MetricKind, type MetricScope, metrics } from "../schema.ts";

export type MetricRecord = typeof metrics.$inferSelect;

export interface MetricInput {
  name: string;
  kind: MetricKind;
  judge?: string | null;
  assertion?: Assertion | null;
  appliesTo: MetricScope;
  critical: boolean;
}

export type MetricPatch = Partial<MetricInput>;

function toColumns(patch: MetricPatch): Partial<typeof metrics.$inferInsert> {
  const columns: Partial<typeof metrics.$inferInsert> = {};
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.kind !== undefined) columns.kind = patch.kind;
  if (patch.judge !== undefined) columns.judge = patch.judge;
  if (patch.assertion !== undefined) columns.assertion = patch.assertion;
  if (patch.appliesTo !== undefined) columns.appliesTo = patch.appliesTo;
  if (patch.critical !== undefined) columns.critical = patch.critical;
  return columns;
}

export async function createMetric(
  db: SparDatabase,
  workspaceId: number,
  input: MetricInput,
  nowMs: number,
): Promise<MetricRecord> {
  const [row] = await db
    .insert(metrics)
    .values({
      ...toColumns(input),
      workspaceId,
      name: input.name,
      kind: input.kind,
      appliesTo: input.appliesTo,
      critical: input.critical,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    })
    .returning();
  if (row === undefined) throw new Error("insert into metrics returned no row");
  return row;
}

export async function getMetric(
  db: SparDatabase,
  workspaceId: number,
  metricId: number,
): Promise<MetricRecord | undefined> {
  const [row] = await db
    .select()
    .from(metrics)
    .where(and(eq(metrics.workspaceId, workspaceId), eq(metrics.id, metricId)));
  return row;
}

/** The workspace's metrics among `ids`, in id order; ids of other workspaces are simply absent. */
export async function getMetricsByIds(
  db: SparDatabase,
  workspaceId: number,
  ids: readonly number[],
): Promise<MetricRecord[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(metrics)
    .where(and(eq(metrics.workspaceId, workspaceId), inJsonList(metrics.id, ids)))
    .orderBy(metrics.id);
}

/** True when every id is a metric of this workspace (an agent may only reference its own). */
export async function allMetricsExist(
  db: SparDatabase,
  workspaceId: number,
  ids: readonly number[],
): Promise<boolean> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return true;
  const found = await db
    .select({ id: metrics.id })
    .from(metrics)
    .where(and(eq(metrics.workspaceId, workspaceId), inJsonList(metrics.id, wanted)));
  return found.length === wanted.length;
}

export async function listMetrics(
  db: SparDatabase,
  workspaceId: number,
  page: PageRequest,
): Promise<Page<MetricRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(metrics)
    .where(
      and(
        eq(metrics.workspaceId, workspaceId),
        page.after === undefined ? undefined : lt(metrics.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(metrics.id))
    .limit(limit + 1);
  return toPage(rows, limit);
}

/** Undefined when the metric is not in the workspace. */
export async function updateMetric(
  db: SparDatabase,
  workspaceId: number,
  metricId: number,
  patch: MetricPatch,
  nowMs: number,
): Promise<MetricRecord | undefined> {
  const [row] = await db
    .update(metrics)
    .set({ ...toColumns(patch), updatedAtMs: nowMs })
    .where(and(eq(metrics.workspaceId, workspaceId), eq(metrics.id, metricId)))
    .returning();
  return row;
}

/**
 * False when the metric is not in the workspace. Agents that list it keep the id; whoever
 * evaluates an agent's metrics reads them with `getMetricsByIds` and so skips deleted ones.
 */
export async function deleteMetric(
  db: SparDatabase,
  workspaceId: number,
  metricId: number,
): Promise<boolean> {
  const rows = await db
    .delete(metrics)
    .where(and(eq(metrics.workspaceId, workspaceId), eq(metrics.id, metricId)))
    .returning({ id: metrics.id });
  return rows.length === 1;
}
