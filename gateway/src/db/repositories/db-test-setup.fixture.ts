// Test support for repository tests: a migrated temp libSQL file with two workspaces, A and B.
import { openTempStorage, type TempStorage } from "../../runtime/node/temp-storage.fixture.ts";
import type { SparDatabase } from "../database.ts";
import { createAgent } from "./agents.ts";
import { createRuns, type RunRecord } from "./runs.ts";
import { createTestRun } from "./test-runs.ts";
import { createWorkspace } from "./workspaces.ts";

export interface TwoWorkspaces {
  storage: TempStorage;
  db: SparDatabase;
  a: number;
  b: number;
}

export async function openTwoWorkspaces(): Promise<TwoWorkspaces> {
  const storage = await openTempStorage();
  const a = await createWorkspace(storage.db, { name: "a", nowMs: 1 });
  const b = await createWorkspace(storage.db, { name: "b", nowMs: 2 });
  return { storage, db: storage.db, a: a.id, b: b.id };
}

/**
 * A text test run of `count` queued runs (scenarios 1…count, one attempt each) for a fresh agent
 * in `workspaceId`, everything created at `nowMs`; its runs in id order.
 */
export async function seedTestRun(
  db: SparDatabase,
  workspaceId: number,
  count: number,
  options: { successThreshold?: number; nowMs?: number } = {},
): Promise<{ testRunId: number; runs: RunRecord[] }> {
  const nowMs = options.nowMs ?? 0;
  const agent = await createAgent(db, workspaceId, { name: "bot" }, nowMs);
  if (!agent.ok) throw new Error("setup: agent");
  const testRun = await createTestRun(
    db,
    workspaceId,
    {
      agentId: agent.row.id,
      channel: "text",
      frequency: 1,
      successThreshold: options.successThreshold ?? 90,
    },
    nowMs,
  );
  if (!testRun.ok) throw new Error("setup: test run");
  const newRuns = Array.from({ length: count }, (_, i) => ({
    agentId: agent.row.id,
    scenarioId: i + 1,
    scenarioName: `s${i + 1}`,
    attempt: 1,
    channel: "text" as const,
  }));
  const runs = await createRuns(db, workspaceId, testRun.row.id, newRuns, nowMs);
  if (runs === undefined) throw new Error("setup: runs");
  return { testRunId: testRun.row.id, runs };
}
