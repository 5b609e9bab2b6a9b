import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAgent, deleteAgent } from "./agents.ts";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import {
  createScenario,
  deleteScenario,
  getScenario,
  getScenariosByIds,
  getScenariosWithAnyTag,
  listScenarios,
  updateScenario,
  upsertScenarioByKey,
} from "./scenarios.ts";

const BODY = { script: [{ say: "hi" }, { end: true as const }] };

let t: TwoWorkspaces;
beforeEach(async () => {
  t = await openTwoWorkspaces();
});
afterEach(() => t.storage.dispose());

async function scenario(workspaceId: number, name: string, tags: string[], agentId: number | null = null) {
  const saved = await createScenario(t.db, workspaceId, { name, tags, agentId, body: BODY }, 1);
  if (!saved.ok) throw new Error(`setup: ${JSON.stringify(saved)}`);
  return saved.row;
}

describe("scenarios", () => {
  it("stores the suite-file body, tags and expected outcome as given", async () => {
    const saved = await createScenario(
      t.db,
      t.a,
      {
        key: "refund",
        name: "Refund",
        tags: ["smoke", "smoke", "billing"],
        body: BODY,
        expectedOutcome: "refunds",
      },
      5,
    );
    expect(saved).toEqual({
      ok: true,
      row: {
        id: 1,
        workspaceId: t.a,
        key: "refund",
        agentId: null,
        name: "Refund",
        tags: ["smoke", "billing"],
        body: BODY,
        expectedOutcome: "refunds",
        createdAtMs: 5,
        updatedAtMs: 5,
      },
    });
  });

  it("refuses an agent of another workspace as if it did not exist", async () => {
    const theirs = await createAgent(t.db, t.b, { name: "B" }, 1);
    const id = theirs.ok ? theirs.row.id : 0;
    expect(await createScenario(t.db, t.a, { agentId: id, body: BODY }, 1)).toEqual({
      ok: false,
      missing: "agent_id",
    });
    const mine = await scenario(t.a, "s", []);
    expect(await updateScenario(t.db, t.a, mine.id, { agentId: id }, 2)).toEqual({
      ok: false,
      missing: "agent_id",
    });
    expect(await upsertScenarioByKey(t.db, t.a, "k", { agentId: id, body: BODY }, 3)).toEqual({
      ok: false,
      missing: "agent_id",
    });
  });

  it("answers a taken key as a conflict", async () => {
    await createScenario(t.db, t.a, { key: "k", body: BODY }, 1);
    const other = await scenario(t.a, "other", []);
    expect(await createScenario(t.db, t.a, { key: "k", body: BODY }, 2)).toEqual({
      ok: false,
      conflict: "key",
    });
    expect(await updateScenario(t.db, t.a, other.id, { key: "k" }, 3)).toEqual({
      ok: false,
      conflict: "key",
    });
  });

  it("filters by agent and by tag, and selects by any of several tags", async () => {
    const agent = await createAgent(t.db, t.a, { name: "A" }, 1);
    const agentId = agent.ok ? agent.row.id : 0;
    await scenario(t.a, "s1", ["smoke"], agentId);
    await scenario(t.a, "s2", ["billing"]);
    await scenario(t.a, "s3", ["smoke", "billing"], agentId);
    await scenario(t.a, "s4", ["smokey"]);
    await scenario(t.b, "b1", ["smoke"]);
    const names = (rows: { name: string | null }[]) => rows.map((r) => r.name);
    expect(names((await listScenarios(t.db, t.a, { tag: "smoke" }, { limit: 10 })).rows)).toEqual([
      "s3",
      "s1",
    ]);
    expect(names((await listScenarios(t.db, t.a, { agentId }, { limit: 10 })).rows)).toEqual(["s3", "s1"]);
    expect(names((await listScenarios(t.db, t.a, { agentId, tag: "billing" }, { limit: 10 })).rows)).toEqual([
      "s3",
    ]);
    expect(names(await getScenariosWithAnyTag(t.db, t.a, ["billing", "smokey"]))).toEqual(["s2", "s3", "s4"]);
    expect(await getScenariosWithAnyTag(t.db, t.a, [])).toEqual([]);
  });

  it("reads by ids only the workspace's own, in id order", async () => {
    const s1 = await scenario(t.a, "s1", []);
    const b1 = await scenario(t.b, "b1", []);
    const s2 = await scenario(t.a, "s2", []);
    expect((await getScenariosByIds(t.db, t.a, [s2.id, b1.id, s1.id, 999])).map((s) => s.name)).toEqual([
      "s1",
      "s2",
    ]);
  });

  it("upserts by key and keeps fields the upsert omits", async () => {
    const first = await upsertScenarioByKey(
      t.db,
      t.a,
      "k",
      { name: "v1", tags: ["x"], body: BODY, expectedOutcome: "ok" },
      1,
    );
    const second = await upsertScenarioByKey(
      t.db,
      t.a,
      "k",
      { name: "v2", body: { script: [{ end: true }] } },
      2,
    );
    expect(first.ok && second.ok && second.row).toEqual({
      ...(first.ok ? first.row : {}),
      name: "v2",
      body: { script: [{ end: true }] },
      updatedAtMs: 2,
    });
  });

  it("keeps a scenario, unattached, when its agent is deleted", async () => {
    const agent = await createAgent(t.db, t.a, { name: "A" }, 1);
    const s = await scenario(t.a, "s", [], agent.ok ? agent.row.id : 0);
    await deleteAgent(t.db, t.a, s.agentId ?? 0);
    expect((await getScenario(t.db, t.a, s.id))?.agentId).toBeNull();
  });

  it("deletes once", async () => {
    const s = await scenario(t.a, "s", []);
    expect(await deleteScenario(t.db, t.a, s.id)).toBe(true);
    expect(await deleteScenario(t.db, t.a, s.id)).toBe(false);
  });
});
