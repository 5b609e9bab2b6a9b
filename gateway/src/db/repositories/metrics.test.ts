import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import {
  createMetric,
  deleteMetric,
  getMetric,
  getMetricsByIds,
  listMetrics,
  updateMetric,
} from "./metrics.ts";

let t: TwoWorkspaces;
beforeEach(async () => {
  t = await openTwoWorkspaces();
});
afterEach(() => t.storage.dispose());

describe("metrics", () => {
  it("stores a judge and an assertion metric as given", async () => {
    const judge = await createMetric(
      t.db,
      t.a,
      {
        name: "polite",
        kind: "judge",
        judge: "Was it polite?",
        appliesTo: "text_and_voice",
        critical: false,
      },
      3,
    );
    expect(judge).toEqual({
      id: 1,
      workspaceId: t.a,
      name: "polite",
      kind: "judge",
      judge: "Was it polite?",
      assertion: null,
      appliesTo: "text_and_voice",
      critical: false,
      createdAtMs: 3,
      updatedAtMs: 3,
    });
    const assertion = await createMetric(
      t.db,
      t.a,
      {
        name: "no swearing",
        kind: "assertion",
        assertion: { agent_never_said: "damn" },
        appliesTo: "text_only",
        critical: true,
      },
      4,
    );
    expect([assertion.assertion, assertion.critical]).toEqual([{ agent_never_said: "damn" }, true]);
  });

  it("updates only the named fields and lists newest first", async () => {
    await createMetric(
      t.db,
      t.a,
      { name: "m1", kind: "judge", judge: "j", appliesTo: "text_only", critical: false },
      1,
    );
    await createMetric(
      t.db,
      t.a,
      { name: "m2", kind: "judge", judge: "j", appliesTo: "text_only", critical: false },
      1,
    );
    const updated = await updateMetric(t.db, t.a, 1, { critical: true }, 2);
    expect([updated?.name, updated?.critical, updated?.updatedAtMs]).toEqual(["m1", true, 2]);
    expect((await listMetrics(t.db, t.a, { limit: 10 })).rows.map((m) => m.name)).toEqual(["m2", "m1"]);
  });

  it("reads by ids only the workspace's own, and deletes once", async () => {
    const mine = await createMetric(
      t.db,
      t.a,
      { name: "m", kind: "judge", judge: "j", appliesTo: "text_only", critical: false },
      1,
    );
    const theirs = await createMetric(
      t.db,
      t.b,
      { name: "m", kind: "judge", judge: "j", appliesTo: "text_only", critical: false },
      1,
    );
    expect((await getMetricsByIds(t.db, t.a, [theirs.id, mine.id])).map((m) => m.id)).toEqual([mine.id]);
    expect(await deleteMetric(t.db, t.a, mine.id)).toBe(true);
    expect(await deleteMetric(t.db, t.a, mine.id)).toBe(false);
    expect(await getMetric(t.db, t.a, mine.id)).toBeUndefined();
  });
});
