import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTwoWorkspaces, seedTestRun, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import { appendRunEvent, appendRunEvents, lastSourceSeq, listRunEvents } from "./run-events.ts";
import { finishRun, type RunRecord } from "./runs.ts";

let t: TwoWorkspaces;
let runs: RunRecord[];
beforeEach(async () => {
  t = await openTwoWorkspaces();
  ({ runs } = await seedTestRun(t.db, t.a, 3, { nowMs: 20 }));
});
afterEach(() => t.storage.dispose());

const idOf = (i: number) => runs[i]?.id ?? 0;
const said = (runIndex: number, content: string, nowMs: number) => ({
  workspaceId: t.a,
  runId: idOf(runIndex),
  type: "transcript" as const,
  data: { role: "user", content },
  nowMs,
});

describe("appending events in one statement", () => {
  it("numbers each run's events after those it already has, in the order given", async () => {
    await appendRunEvent(t.db, t.a, idOf(0), { type: "status", data: { status: "running" }, nowMs: 1 });
    const stored = await appendRunEvents(t.db, [
      said(1, "b1", 2),
      said(0, "a1", 3),
      said(1, "b2", 4),
      said(0, "a2", 5),
    ]);
    expect(stored).toEqual([
      { runId: idOf(0), seq: 2 },
      { runId: idOf(0), seq: 3 },
      { runId: idOf(1), seq: 1 },
      { runId: idOf(1), seq: 2 },
    ]);
    const first = await listRunEvents(t.db, t.a, idOf(0), { afterSeq: 0, limit: 10 });
    expect(first.map((e) => [e.seq, e.type, e.data, e.createdAtMs])).toEqual([
      [1, "status", { status: "running" }, 1],
      [2, "transcript", { role: "user", content: "a1" }, 3],
      [3, "transcript", { role: "user", content: "a2" }, 5],
    ]);
    const second = await listRunEvents(t.db, t.a, idOf(1), { afterSeq: 0, limit: 10 });
    expect(second.map((e) => [e.seq, e.data])).toEqual([
      [1, { role: "user", content: "b1" }],
      [2, { role: "user", content: "b2" }],
    ]);
  });

  it("keeps data that is a JSON string, number or array exactly as given", async () => {
    await appendRunEvents(t.db, [
      { ...said(0, "x", 1), data: "plain text" },
      { ...said(0, "x", 1), data: 42 },
      { ...said(0, "x", 1), data: [1, "two", { three: 3 }] },
    ]);
    const events = await listRunEvents(t.db, t.a, idOf(0), { afterSeq: 0, limit: 10 });
    expect(events.map((e) => e.data)).toEqual(["plain text", 42, [1, "two", { three: 3 }]]);
  });

  it("drops events of runs in another workspace, and of ended runs all but their ended event", async () => {
    await finishRun(t.db, t.a, idOf(2), {
      status: "completed",
      endedReason: "caller_ended",
      endedBy: "caller",
      passed: true,
      error: null,
      transcript: [],
      assertions: [],
      metrics: {},
      endedAtMs: 30,
    });
    const stored = await appendRunEvents(t.db, [
      said(2, "after the end", 31),
      { ...said(2, "x", 31), type: "ended", data: { id: idOf(2) } },
      said(2, "after the ended event", 31),
      { ...said(0, "wrong workspace", 31), workspaceId: t.b },
      said(0, "kept", 32),
    ]);
    expect(stored).toEqual([
      { runId: idOf(0), seq: 1 },
      { runId: idOf(2), seq: 1 },
    ]);
    const ended = await listRunEvents(t.db, t.a, idOf(2), { afterSeq: 0, limit: 10 });
    expect(ended.map((e) => [e.seq, e.type, e.data])).toEqual([[1, "ended", { id: idOf(2) }]]);
  });

  it("stores nothing and answers nothing for no events", async () => {
    expect(await appendRunEvents(t.db, [])).toEqual([]);
  });

  it("stores a live event once per sidecar seq, across statements and within one, without gaps in seq", async () => {
    const live = (runIndex: number, sourceSeq: number, content: string) => ({
      ...said(runIndex, content, sourceSeq),
      sourceSeq,
    });
    expect(await lastSourceSeq(t.db, idOf(0))).toBe(0);
    await appendRunEvents(t.db, [live(0, 3, "one"), live(0, 5, "two"), said(0, "own", 6)]);
    // A second follower replays 3 and 5, and says 5 twice in one batch; run 1 may reuse the seqs.
    const stored = await appendRunEvents(t.db, [
      live(0, 3, "one"),
      live(0, 5, "two"),
      live(0, 7, "three"),
      live(0, 7, "three"),
      live(1, 3, "other run"),
    ]);
    expect(stored).toEqual([
      { runId: idOf(0), seq: 4 },
      { runId: idOf(1), seq: 1 },
    ]);
    const events = await listRunEvents(t.db, t.a, idOf(0), { afterSeq: 0, limit: 10 });
    expect(events.map((e) => [e.seq, e.sourceSeq, e.data])).toEqual([
      [1, 3, { role: "user", content: "one" }],
      [2, 5, { role: "user", content: "two" }],
      [3, null, { role: "user", content: "own" }],
      [4, 7, { role: "user", content: "three" }],
    ]);
    expect(await lastSourceSeq(t.db, idOf(0))).toBe(7);
    expect(await lastSourceSeq(t.db, idOf(1))).toBe(3);
  });
});
