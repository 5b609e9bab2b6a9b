import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeCursor } from "../page.ts";
import { createAgent } from "./agents.ts";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import { appendRunEvent, listRunEvents } from "./run-events.ts";
import {
  createRuns,
  failInFlightRuns,
  findOverdueRuns,
  finishRun,
  getRunsByIds,
  listRunsOfTestRun,
  type RunEnding,
  startRun,
} from "./runs.ts";
import {
  createTestRun,
  finishTestRun,
  getTestRun,
  listRunningTestRuns,
  listTestRuns,
  type TestRunRecord,
  tallyTestRun,
} from "./test-runs.ts";

let t: TwoWorkspaces;
let agentId: number;
beforeEach(async () => {
  t = await openTwoWorkspaces();
  const agent = await createAgent(t.db, t.a, { name: "bot" }, 1);
  agentId = agent.ok ? agent.row.id : 0;
});
afterEach(() => t.storage.dispose());

async function testRun(nowMs = 10): Promise<TestRunRecord> {
  const saved = await createTestRun(
    t.db,
    t.a,
    { agentId, channel: "text", frequency: 1, successThreshold: 90 },
    nowMs,
  );
  if (!saved.ok) throw new Error("setup: test run");
  return saved.row;
}

async function runsOf(testRunId: number, n: number) {
  const newRuns = Array.from({ length: n }, (_, i) => ({
    agentId,
    scenarioId: i + 1,
    scenarioName: `s${i + 1}`,
    attempt: 1,
    channel: "text" as const,
  }));
  return (await createRuns(t.db, t.a, testRunId, newRuns, 20)) ?? [];
}

function ending(overrides: Partial<RunEnding> = {}): RunEnding {
  return {
    status: "completed",
    endedReason: "caller_ended",
    endedBy: "caller",
    passed: true,
    error: null,
    transcript: [{ role: "user", content: "hi", at_ms: 0 }],
    assertions: [],
    metrics: { turns: 1 },
    endedAtMs: 100,
    ...overrides,
  };
}

describe("test runs and runs", () => {
  it("creates a running, pending test run for an agent of the workspace only", async () => {
    const run = await testRun();
    expect([run.status, run.verdict, run.successThreshold, run.finishedAtMs]).toEqual([
      "running",
      "pending",
      90,
      null,
    ]);
    expect(
      await createTestRun(t.db, t.b, { agentId, channel: "text", frequency: 1, successThreshold: 100 }, 1),
    ).toEqual({
      ok: false,
      missing: "agent_id",
    });
  });

  it("creates its runs queued, in one go, and tallies them from what is stored", async () => {
    const tr = await testRun();
    const created = await runsOf(tr.id, 4);
    expect(created.map((r) => [r.status, r.scenarioName, r.transcript, r.passed])).toEqual([
      ["queued", "s1", [], null],
      ["queued", "s2", [], null],
      ["queued", "s3", [], null],
      ["queued", "s4", [], null],
    ]);
    const [r1, r2, r3] = created;
    await finishRun(t.db, t.a, r1?.id ?? 0, ending());
    await finishRun(t.db, t.a, r2?.id ?? 0, ending({ passed: false }));
    await finishRun(
      t.db,
      t.a,
      r3?.id ?? 0,
      ending({ status: "failed", endedReason: "agent_timeout", passed: false }),
    );
    expect(await tallyTestRun(t.db, t.a, tr.id)).toEqual({
      total: 4,
      unfinished: 1,
      completed: 2,
      failed: 1,
      interrupted: 0,
      passed: 1,
    });
    expect((await listRunsOfTestRun(t.db, t.a, tr.id)).length).toBe(4);
  });

  it("creates many runs at once, in the given order, with their metadata and deadlines", async () => {
    const tr = await testRun();
    const newRuns = Array.from({ length: 150 }, (_, i) => ({
      agentId,
      scenarioId: i % 2 === 0 ? i : null,
      scenarioName: `s${i}`,
      attempt: 1 + (i % 3),
      channel: "voice" as const,
      metadata: { "X-Customer": `c${i}`, nested: { i } },
      deadlineAtMs: i === 0 ? null : 1_000 + i,
    }));
    const created = (await createRuns(t.db, t.a, tr.id, newRuns, 20)) ?? [];
    expect(
      created.map((r) => [r.scenarioId, r.scenarioName, r.attempt, r.channel, r.metadata, r.deadlineAtMs]),
    ).toEqual(
      newRuns.map((r) => [r.scenarioId, r.scenarioName, r.attempt, "voice", r.metadata, r.deadlineAtMs]),
    );
    expect([
      ...new Set(created.map((r) => [r.status, r.workspaceId, r.testRunId, r.createdAtMs].join())),
    ]).toEqual([`queued,${t.a},${tr.id},20`]);
    expect(
      (
        await getRunsByIds(
          t.db,
          t.a,
          created.map((r) => r.id),
        )
      ).length,
    ).toBe(150);
  });

  it("ends a run once: a second ending (a late result, the sweeper) changes nothing", async () => {
    const tr = await testRun();
    const [run] = await runsOf(tr.id, 1);
    const id = run?.id ?? 0;
    expect(await startRun(t.db, t.a, id, { startedAtMs: 30, deadlineAtMs: 630 })).toBe(true);
    expect(await startRun(t.db, t.a, id, { startedAtMs: 31, deadlineAtMs: 631 })).toBe(false);
    const first = await finishRun(t.db, t.a, id, ending({ recording: { stereo_url: "/r.wav" } }));
    expect([first?.status, first?.passed, first?.recording, first?.startedAtMs, first?.deadlineAtMs]).toEqual(
      ["completed", true, { stereo_url: "/r.wav" }, 30, 630],
    );
    expect(
      await finishRun(t.db, t.a, id, ending({ status: "failed", endedReason: "max_duration" })),
    ).toBeUndefined();
    expect((await getRunsByIds(t.db, t.a, [id]))[0]?.status).toBe("completed");
  });

  it("settles a test run once, whoever tries", async () => {
    const tr = await testRun();
    expect(await listRunningTestRuns(t.db, 10)).toEqual([tr]);
    const settles = await Promise.all([1, 2, 3].map(() => finishTestRun(t.db, t.a, tr.id, "passed", 50)));
    expect(settles.filter(Boolean).length).toBe(1);
    expect(await getTestRun(t.db, t.a, tr.id)).toMatchObject({
      status: "done",
      verdict: "passed",
      finishedAtMs: 50,
    });
    expect(await listRunningTestRuns(t.db, 10)).toEqual([]);
  });

  it("finds in-flight runs past their deadline, across workspaces, and nothing else", async () => {
    const tr = await testRun();
    const [late, onTime, noDeadline, done] = await runsOf(tr.id, 4);
    await startRun(t.db, t.a, late?.id ?? 0, { startedAtMs: 0, deadlineAtMs: 1_000 });
    await startRun(t.db, t.a, onTime?.id ?? 0, { startedAtMs: 0, deadlineAtMs: 1_001 });
    await startRun(t.db, t.a, done?.id ?? 0, { startedAtMs: 0, deadlineAtMs: 500 });
    await finishRun(t.db, t.a, done?.id ?? 0, ending());
    expect((await findOverdueRuns(t.db, 1_000, 10)).map((r) => r.id)).toEqual([late?.id]);
    expect(noDeadline?.deadlineAtMs).toBeNull();
  });

  it("fails every in-flight run on restart and leaves ended runs alone", async () => {
    const tr = await testRun();
    const [queued, running, ended] = await runsOf(tr.id, 3);
    await startRun(t.db, t.a, running?.id ?? 0, { startedAtMs: 0, deadlineAtMs: 1_000 });
    await finishRun(t.db, t.a, ended?.id ?? 0, ending());
    const failed = await failInFlightRuns(t.db, { error: "gateway restarted", endedAtMs: 70 });
    expect(
      failed.map((r) => [r.id, r.status, r.endedReason, r.endedBy, r.passed, r.error, r.endedAtMs]),
    ).toEqual([
      [queued?.id, "failed", "internal_error", "platform", false, "gateway restarted", 70],
      [running?.id, "failed", "internal_error", "platform", false, "gateway restarted", 70],
    ]);
    expect(await failInFlightRuns(t.db, { error: "again", endedAtMs: 80 })).toEqual([]);
  });

  it("lists test runs newest first", async () => {
    const first = await testRun(1);
    const second = await testRun(2);
    const page = await listTestRuns(t.db, t.a, { limit: 1 });
    expect(page.rows.map((r) => r.id)).toEqual([second.id]);
    expect(page.nextCursor).toBe(encodeCursor(second.id));
    const rest = await listTestRuns(t.db, t.a, { limit: 1, after: { beforeId: second.id } });
    expect(rest).toEqual({ rows: [first], nextCursor: null });
  });
});

describe("run events", () => {
  it("numbers a run's events 1, 2, 3… and reads those after a given seq", async () => {
    const tr = await testRun();
    const [r1, r2] = await runsOf(tr.id, 2);
    const id1 = r1?.id ?? 0;
    await appendRunEvent(t.db, t.a, id1, { type: "status", data: { status: "running" }, nowMs: 1 });
    await appendRunEvent(t.db, t.a, r2?.id ?? 0, { type: "status", data: { status: "running" }, nowMs: 1 });
    await appendRunEvent(t.db, t.a, id1, {
      type: "transcript",
      data: { role: "user", content: "hi" },
      nowMs: 2,
    });
    const ended = await appendRunEvent(t.db, t.a, id1, { type: "ended", data: { id: id1 }, nowMs: 3 });
    expect(ended?.seq).toBe(3);
    const after1 = await listRunEvents(t.db, t.a, id1, { afterSeq: 1, limit: 100 });
    expect(after1.map((e) => [e.seq, e.type, e.data])).toEqual([
      [2, "transcript", { role: "user", content: "hi" }],
      [3, "ended", { id: id1 }],
    ]);
    expect(
      (await listRunEvents(t.db, t.a, r2?.id ?? 0, { afterSeq: 0, limit: 100 })).map((e) => e.seq),
    ).toEqual([1]);
  });

  it("gives 50 concurrent appends to one run distinct, gapless seqs", async () => {
    const tr = await testRun();
    const [run] = await runsOf(tr.id, 1);
    const id = run?.id ?? 0;
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appendRunEvent(t.db, t.a, id, { type: "transcript", data: { i }, nowMs: i }),
      ),
    );
    const seqs = appended.map((e) => e?.seq ?? 0).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
