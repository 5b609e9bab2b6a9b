import { parseSuite, type RunReport } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "../db/repositories/agents.ts";
import { listRunEvents } from "../db/repositories/run-events.ts";
import { createRuns, getRun, type RunRecord } from "../db/repositories/runs.ts";
import { createTestRun, getTestRun } from "../db/repositories/test-runs.ts";
import { claimDueDeliveries, createWebhook } from "../db/repositories/webhooks.ts";
import { createWorkspace } from "../db/repositories/workspaces.ts";
import { openTempStorage, type TempStorage } from "../runtime/node/temp-storage.fixture.ts";
import { DbRunRecorder } from "./db-run-recorder.ts";
import { RunEventBuffer } from "./run-event-buffer.ts";
import type { SettlementDeps } from "./run-settlement.ts";
import { recoverAfterRestart, sweepOverdueRuns } from "./sweeper.ts";
import type { TextRunJob } from "./text-run-host.ts";

const T0 = Date.parse("2026-12-04T12:00:00Z");
let storage: TempStorage;
let deps: SettlementDeps & { wakes: number };
/** Its timer never fires: events reach storage only when something flushes them. */
let events: RunEventBuffer;
let workspaceId: number;
let agentId: number;

beforeEach(async () => {
  storage = await openTempStorage();
  let ids = 0;
  deps = {
    db: storage.db,
    now: () => T0,
    publicUrl: "http://gw.test",
    wakeWebhooks: () => {
      deps.wakes++;
    },
    newEventId: () => `evt_${++ids}`,
    wakes: 0,
  };
  events = new RunEventBuffer({
    db: storage.db,
    flushEveryMs: 100,
    maxEvents: 1000,
    log: (message) => {
      throw new Error(message);
    },
    schedule: () => () => undefined,
  });
  workspaceId = (await createWorkspace(storage.db, { name: "w", nowMs: 0 })).id;
  const agent = await createAgent(storage.db, workspaceId, { name: "a" }, 0);
  if (!agent.ok) throw new Error("no agent");
  agentId = agent.row.id;
  await createWebhook(
    storage.db,
    workspaceId,
    {
      url: "http://127.0.0.1:1/h",
      events: ["run.finished", "test_run.finished"],
      secret: { ciphertext: "x", keyId: "k" },
    },
    0,
  );
});
afterEach(async () => {
  await storage.dispose();
});

async function testRunWith(
  count: number,
  threshold = 100,
): Promise<{ testRunId: number; runs: RunRecord[] }> {
  const saved = await createTestRun(
    storage.db,
    workspaceId,
    { agentId, channel: "text", frequency: count, successThreshold: threshold },
    T0,
  );
  if (!saved.ok) throw new Error("no test run");
  const newRuns = Array.from({ length: count }, (_, i) => ({
    agentId,
    scenarioId: 7,
    scenarioName: "S",
    attempt: i + 1,
    channel: "text" as const,
  }));
  return {
    testRunId: saved.row.id,
    runs: (await createRuns(storage.db, workspaceId, saved.row.id, newRuns, T0)) ?? [],
  };
}

function jobFor(run: RunRecord, maxDurationS = 60): TextRunJob {
  const parsed = parseSuite({
    version: 1,
    agent: {
      id: String(agentId),
      text: { url: "ws://127.0.0.1:1", secret: "s", max_duration_s: maxDurationS },
    },
    scenarios: [{ id: "7", script: [{ say: "hi" }] }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return {
    workspaceId,
    testRunId: run.testRunId,
    runId: run.id,
    attempt: run.attempt,
    suite: parsed.suite,
    scenario: parsed.suite.scenarios[0]!,
    metrics: [],
  };
}

function report(run: RunRecord, passed: boolean): RunReport {
  return {
    run_id: String(run.id),
    scenario_id: "7",
    attempt: run.attempt,
    channel: "text",
    status: "completed",
    ended_reason: "caller_ended",
    ended_by: "caller",
    passed,
    duration_ms: 5,
    transcript: [{ role: "user", content: "hi", at_ms: 1 }],
    metadata: {},
    assertions: [],
    metrics: { turns: 0, latency_ms: null },
    error: passed ? null : "an assertion failed",
  };
}

const types = async () =>
  (await claimDueDeliveries(storage.db, { nowMs: Number.MAX_SAFE_INTEGER / 2, leaseMs: 1, limit: 100 })).map(
    (d) => `${d.type} ${d.eventId}`,
  );

describe("DbRunRecorder", () => {
  it("stores a run's start with its deadline, its events, and settles the test run once when both runs finish at once", async () => {
    const { testRunId, runs } = await testRunWith(2, 50);
    const recorder = new DbRunRecorder({ ...deps, events });
    const [a, b] = runs as [RunRecord, RunRecord];
    await recorder.started(jobFor(a, 60), T0 + 10);
    // The start waits in the buffer with the run's events until a flush.
    expect(await getRun(storage.db, workspaceId, a.id)).toMatchObject({
      status: "queued",
      startedAtMs: null,
    });
    await events.flush();
    expect(await getRun(storage.db, workspaceId, a.id)).toMatchObject({
      status: "running",
      startedAtMs: T0 + 10,
      deadlineAtMs: T0 + 10 + 90_000,
    });
    await recorder.started(jobFor(b), T0 + 10);
    await recorder.transcript(jobFor(a), { role: "user", content: "hi", at_ms: 1 });
    await Promise.all([
      recorder.finished(jobFor(a), report(a, true)),
      recorder.finished(jobFor(b), report(b, false)),
    ]);
    // Both endings are stored; their `ended` events wait for the next flush.
    expect(events.size).toBe(2);
    await events.flush();
    const stored = await listRunEvents(storage.db, workspaceId, a.id, { afterSeq: 0, limit: 10 });
    expect(stored.map((e) => [e.seq, e.type])).toEqual([
      [1, "status"],
      [2, "transcript"],
      [3, "ended"],
    ]);
    expect(stored[2]?.data).toMatchObject({
      id: a.id,
      status: "completed",
      passed: true,
      duration_ms: 5,
    });
    expect(await getTestRun(storage.db, workspaceId, testRunId)).toMatchObject({
      status: "done",
      verdict: "passed",
    });
    expect((await types()).sort()).toEqual([
      "run.finished evt_1",
      "run.finished evt_2",
      "test_run.finished evt_3",
    ]);
    // A second report of the same run changes and sends nothing.
    await recorder.finished(jobFor(a), report(a, false));
    expect(await types()).toEqual([]);
    expect(deps.wakes).toBe(2);
  });
});

describe("sweepOverdueRuns", () => {
  it("ends a run still running past its deadline as failed, keeping what was said, and settles its test run", async () => {
    const { testRunId, runs } = await testRunWith(1);
    const run = runs[0] as RunRecord;
    const recorder = new DbRunRecorder({ ...deps, events });
    await recorder.started(jobFor(run, 60), T0);
    await events.flush();
    await recorder.transcript(jobFor(run), { role: "user", content: "hello?", at_ms: 3 });
    expect(events.size).toBe(1);
    const released: number[][] = [];
    const sweeper = {
      ...deps,
      release: async (ids: number[]) => released.push(ids),
      flushEvents: () => events.flush(),
    };
    expect(await sweepOverdueRuns(sweeper, T0 + 89_999)).toEqual([]);
    const swept = await sweepOverdueRuns(sweeper, T0 + 90_000);
    expect(swept.map((r) => r.id)).toEqual([run.id]);
    expect(await getRun(storage.db, workspaceId, run.id)).toMatchObject({
      status: "failed",
      endedReason: "internal_error",
      endedBy: "platform",
      passed: false,
      error: "the run outlived its deadline",
      transcript: [{ role: "user", content: "hello?", at_ms: 3 }],
      endedAtMs: T0 + 90_000,
    });
    expect(released).toEqual([[run.id]]);
    expect(await getTestRun(storage.db, workspaceId, testRunId)).toMatchObject({
      status: "done",
      verdict: "failed",
      finishedAtMs: T0 + 90_000,
    });
    // The holder's late report loses: the first ending stands.
    await recorder.finished(jobFor(run), report(run, true));
    expect((await getRun(storage.db, workspaceId, run.id))?.status).toBe("failed");
    expect(await sweepOverdueRuns(sweeper, T0 + 200_000)).toEqual([]);
  });
});

describe("recoverAfterRestart", () => {
  it("ends runs a previous process left in flight and settles every test run left running", async () => {
    const left = await testRunWith(2);
    await new DbRunRecorder({ ...deps, events }).started(jobFor(left.runs[0] as RunRecord), T0);
    // A test run whose runs all ended, but whose settling was lost in a crash.
    const orphan = await testRunWith(1, 0);
    const { finishRun } = await import("../db/repositories/runs.ts");
    await finishRun(storage.db, workspaceId, orphan.runs[0]?.id ?? 0, {
      status: "completed",
      endedReason: "caller_ended",
      endedBy: "caller",
      passed: true,
      error: null,
      transcript: [],
      assertions: [],
      metrics: {},
      endedAtMs: T0,
    });
    const recovered = await recoverAfterRestart(deps, T0 + 5_000);
    expect(recovered).toEqual({ runs: 2, testRuns: 2 });
    for (const run of left.runs) {
      expect(await getRun(storage.db, workspaceId, run.id)).toMatchObject({
        status: "failed",
        endedReason: "internal_error",
        error: "gateway restarted",
        endedAtMs: T0 + 5_000,
      });
      const events = await listRunEvents(storage.db, workspaceId, run.id, { afterSeq: 0, limit: 10 });
      expect(events.at(-1)).toMatchObject({
        type: "ended",
        data: { id: run.id, error: "gateway restarted" },
      });
    }
    expect(await getTestRun(storage.db, workspaceId, left.testRunId)).toMatchObject({
      status: "done",
      verdict: "failed",
    });
    expect(await getTestRun(storage.db, workspaceId, orphan.testRunId)).toMatchObject({
      status: "done",
      verdict: "passed",
    });
    expect((await types()).filter((t) => t.startsWith("test_run.finished"))).toHaveLength(2);
    expect(await recoverAfterRestart(deps, T0 + 6_000)).toEqual({ runs: 0, testRuns: 0 });
  });
});
