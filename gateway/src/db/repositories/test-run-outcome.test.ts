import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTwoWorkspaces, seedTestRun, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import { finishRun, type RunEnding, type RunRecord, startRun } from "./runs.ts";
import { readTestRunOutcome } from "./test-run-outcome.ts";
import { countUnfinishedRuns, createTestRun } from "./test-runs.ts";

let t: TwoWorkspaces;
let testRunId: number;
let runs: RunRecord[];
beforeEach(async () => {
  t = await openTwoWorkspaces();
  ({ testRunId, runs } = await seedTestRun(t.db, t.a, 6, { nowMs: 20 }));
});
afterEach(() => t.storage.dispose());

const idOf = (i: number) => runs[i]?.id ?? 0;
const end = (i: number, over: Partial<RunEnding>) =>
  finishRun(t.db, t.a, idOf(i), {
    status: "completed",
    endedReason: "caller_ended",
    endedBy: "caller",
    passed: true,
    error: null,
    transcript: [{ role: "user", content: "hi", at_ms: 0 }],
    assertions: [],
    metrics: {},
    endedAtMs: 50,
    ...over,
  });

describe("a test run's outcome", () => {
  it("counts every run by status and lists, in id order, only the ended runs that did not pass", async () => {
    await end(3, { status: "failed", endedReason: "agent_timeout", passed: false, error: "no reply" });
    await end(0, {});
    await end(1, { passed: false, error: "an assertion failed" });
    await end(4, { status: "interrupted", endedReason: "interrupted", endedBy: "platform", passed: false });
    await startRun(t.db, t.a, idOf(2), { startedAtMs: 30, deadlineAtMs: 90 });
    expect(await readTestRunOutcome(t.db, t.a, testRunId)).toEqual({
      tally: { total: 6, unfinished: 2, completed: 2, failed: 1, interrupted: 1, passed: 1 },
      unpassed: [
        {
          id: idOf(1),
          scenarioId: 2,
          scenarioName: "s2",
          status: "completed",
          endedReason: "caller_ended",
          error: "an assertion failed",
        },
        {
          id: idOf(3),
          scenarioId: 4,
          scenarioName: "s4",
          status: "failed",
          endedReason: "agent_timeout",
          error: "no reply",
        },
        {
          id: idOf(4),
          scenarioId: 5,
          scenarioName: "s5",
          status: "interrupted",
          endedReason: "interrupted",
          error: null,
        },
      ],
    });
  });

  it("answers zero counts and no runs for a test run of another workspace or one that does not exist", async () => {
    const none = {
      tally: { total: 0, unfinished: 0, completed: 0, failed: 0, interrupted: 0, passed: 0 },
      unpassed: [],
    };
    await end(0, { passed: false });
    expect(await readTestRunOutcome(t.db, t.b, testRunId)).toEqual(none);
    expect(await readTestRunOutcome(t.db, t.a, testRunId + 1000)).toEqual(none);
  });

  it("answers the counts with no runs listed when every ended run passed", async () => {
    for (const i of [0, 1, 2, 3, 4, 5]) await end(i, {});
    expect(await readTestRunOutcome(t.db, t.a, testRunId)).toEqual({
      tally: { total: 6, unfinished: 0, completed: 6, failed: 0, interrupted: 0, passed: 6 },
      unpassed: [],
    });
  });

  it("counts the runs still queued or running, in the workspace only", async () => {
    await startRun(t.db, t.a, idOf(0), { startedAtMs: 30, deadlineAtMs: 90 });
    await end(1, {});
    await end(2, { status: "failed", endedReason: "agent_timeout", passed: false });
    expect(await countUnfinishedRuns(t.db, t.a, testRunId)).toBe(4);
    expect(await countUnfinishedRuns(t.db, t.b, testRunId)).toBe(0);
  });
});
