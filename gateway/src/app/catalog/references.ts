/**
 * Ids a body refers to must be objects of the caller's workspace; one of another workspace is
 * answered exactly like one that never existed (404 naming the field and the id).
 */
import { AppError } from "@spar/protocol";
import type { SparDatabase } from "../../db/database.ts";
import { getAgent } from "../../db/repositories/agents.ts";
import { getMetricsByIds } from "../../db/repositories/metrics.ts";

export async function requireMetrics(
  db: SparDatabase,
  workspaceId: number,
  ids: readonly number[] | undefined,
) {
  if (ids === undefined || ids.length === 0) return;
  const found = new Set((await getMetricsByIds(db, workspaceId, ids)).map((m) => m.id));
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError("not_found", `metric_ids: metric ${missing.join(", ")} not found`);
  }
}

export async function requireAgent(db: SparDatabase, workspaceId: number, id: number | null | undefined) {
  if (id === undefined || id === null) return;
  if ((await getAgent(db, workspaceId, id)) === undefined) {
    throw new AppError("not_found", `agent_id: agent ${id} not found`);
  }
}

/** What a repository's `Saved` failure means to a client. */
export function savedFailure(
  failure: { conflict: "key" } | { missing: "agent_id" | "metric_ids" },
  noun: "agent" | "scenario",
  key: string | null | undefined,
): AppError {
  if ("conflict" in failure) {
    return new AppError(
      "conflict",
      `key: ${noun === "agent" ? "an agent" : "a scenario"} with key ${JSON.stringify(key)} already exists in this workspace`,
    );
  }
  // Checked before the write; reached only when the object was deleted in between.
  return new AppError("not_found", `${failure.missing}: a referenced object was not found`);
}
