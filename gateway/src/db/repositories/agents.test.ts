import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCursor } from "../page.ts";
import {
  createAgent,
  deleteAgent,
  getAgent,
  getAgentByKey,
  listAgents,
  updateAgent,
  upsertAgentByKey,
} from "./agents.ts";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import { createMetric } from "./metrics.ts";

const TEXT = {
  url: "wss://bot.example.com/ws",
  per_turn_timeout_s: 120,
  max_duration_s: 600,
  first_speaker: "caller" as const,
  settle_ms: 300,
};
const SECRET = { ciphertext: "c1", keyId: "k1" };

let t: TwoWorkspaces;
beforeEach(async () => {
  t = await openTwoWorkspaces();
});
afterEach(() => t.storage.dispose());

describe("agents", () => {
  it("creates an agent with empty defaults and reads it back with its sealed secret", async () => {
    const saved = await createAgent(
      t.db,
      t.a,
      { name: "Billing", key: "billing", text: TEXT, textSecret: SECRET },
      10,
    );
    expect(saved).toEqual({
      ok: true,
      row: {
        id: 1,
        workspaceId: t.a,
        key: "billing",
        name: "Billing",
        text: TEXT,
        textSecret: SECRET,
        voice: null,
        voiceApiSecret: null,
        metricIds: [],
        createdAtMs: 10,
        updatedAtMs: 10,
      },
    });
    expect(await getAgent(t.db, t.a, 1)).toEqual(saved.ok ? saved.row : undefined);
    expect((await getAgentByKey(t.db, t.a, "billing"))?.id).toBe(1);
  });

  it("answers a taken key as a conflict on create and on update, and lets another workspace use it", async () => {
    await createAgent(t.db, t.a, { name: "One", key: "bot" }, 1);
    const other = await createAgent(t.db, t.a, { name: "Two", key: "other" }, 1);
    expect(await createAgent(t.db, t.a, { name: "Dup", key: "bot" }, 2)).toEqual({
      ok: false,
      conflict: "key",
    });
    expect(await updateAgent(t.db, t.a, other.ok ? other.row.id : 0, { key: "bot" }, 3)).toEqual({
      ok: false,
      conflict: "key",
    });
    expect((await createAgent(t.db, t.b, { name: "B's", key: "bot" }, 4)).ok).toBe(true);
  });

  it("lets any number of agents have no key", async () => {
    expect((await createAgent(t.db, t.a, { name: "x" }, 1)).ok).toBe(true);
    expect((await createAgent(t.db, t.a, { name: "y", key: null }, 1)).ok).toBe(true);
  });

  it("keeps an omitted secret on update and clears it on null", async () => {
    await createAgent(
      t.db,
      t.a,
      { name: "A", text: TEXT, textSecret: SECRET, voice: { livekit: {} }, voiceApiSecret: SECRET },
      1,
    );
    const renamed = await updateAgent(t.db, t.a, 1, { name: "B" }, 2);
    expect(renamed?.ok && [renamed.row.name, renamed.row.textSecret, renamed.row.updatedAtMs]).toEqual([
      "B",
      SECRET,
      2,
    ]);
    const cleared = await updateAgent(t.db, t.a, 1, { textSecret: null }, 3);
    expect(cleared?.ok && [cleared.row.textSecret, cleared.row.voiceApiSecret]).toEqual([null, SECRET]);
  });

  it("accepts only metric ids of its own workspace", async () => {
    const mine = await createMetric(
      t.db,
      t.a,
      { name: "m", kind: "judge", judge: "polite?", appliesTo: "text_only", critical: true },
      1,
    );
    const theirs = await createMetric(
      t.db,
      t.b,
      { name: "m", kind: "judge", judge: "polite?", appliesTo: "text_only", critical: true },
      1,
    );
    expect(await createAgent(t.db, t.a, { name: "A", metricIds: [mine.id, theirs.id] }, 1)).toEqual({
      ok: false,
      missing: "metric_ids",
    });
    const saved = await createAgent(t.db, t.a, { name: "A", metricIds: [mine.id, mine.id] }, 1);
    expect(saved.ok && saved.row.metricIds).toEqual([mine.id]);
    expect(await updateAgent(t.db, t.a, 1, { metricIds: [theirs.id] }, 2)).toEqual({
      ok: false,
      missing: "metric_ids",
    });
  });

  it("upserts by key: creates once, then updates the same row", async () => {
    const first = await upsertAgentByKey(
      t.db,
      t.a,
      "suite-bot",
      { name: "v1", text: TEXT, textSecret: SECRET },
      1,
    );
    const second = await upsertAgentByKey(t.db, t.a, "suite-bot", { name: "v2" }, 2);
    expect(first.ok && second.ok && [first.row.id, second.row.id]).toEqual([1, 1]);
    expect(
      second.ok && [second.row.name, second.row.textSecret, second.row.createdAtMs, second.row.updatedAtMs],
    ).toEqual(["v2", SECRET, 1, 2]);
    // The same key in another workspace is another agent; A's is untouched.
    const elsewhere = await upsertAgentByKey(t.db, t.b, "suite-bot", { name: "b" }, 3);
    expect(elsewhere.ok && [elsewhere.row.workspaceId, elsewhere.row.name]).toEqual([t.b, "b"]);
    expect((await getAgentByKey(t.db, t.a, "suite-bot"))?.name).toBe("v2");
  });

  it("pages newest first with an opaque cursor until the last page", async () => {
    for (let i = 1; i <= 5; i++) await createAgent(t.db, t.a, { name: `a${i}` }, i);
    await createAgent(t.db, t.b, { name: "b1" }, 6);
    const names: string[][] = [];
    let cursor: string | null = null;
    do {
      const after = cursor === null ? undefined : parseCursor(cursor);
      const page = await listAgents(t.db, t.a, { limit: 2, after });
      names.push(page.rows.map((r) => r.name));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(names).toEqual([["a5", "a4"], ["a3", "a2"], ["a1"]]);
  });

  it("deletes once", async () => {
    await createAgent(t.db, t.a, { name: "A" }, 1);
    expect(await deleteAgent(t.db, t.a, 1)).toBe(true);
    expect(await deleteAgent(t.db, t.a, 1)).toBe(false);
    expect(await getAgent(t.db, t.a, 1)).toBeUndefined();
  });
});
