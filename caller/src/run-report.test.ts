import type { Scenario } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { assembleRunReport, notStartedReport } from "./run-report.ts";

const scenario: Scenario = {
  id: "refund",
  metadata: { tier: "gold", room_name: "from-scenario" },
  script: [{ say: "I want a refund" }],
  assertions: [{ agent_said: "refund" }],
};

const outcome = {
  status: "completed" as const,
  endedReason: "caller_ended" as const,
  endedBy: "caller" as const,
  transcript: [
    { role: "user" as const, content: "I want a refund", at_ms: 100 },
    { role: "agent" as const, content: "Your refund is on its way", at_ms: 900, latency_ms: 300 },
  ],
  metadata: { room_name: "produced" },
};

const parts = {
  runId: "r1",
  scenario,
  attempt: 2,
  channel: "voice" as const,
  outcome,
  problem: null,
  durationMs: 1_234.5,
  metrics: { turns: 1 },
};

describe("assembleRunReport", () => {
  it("passes a run that ended normally with every assertion held, and lets produced metadata win", async () => {
    const report = await assembleRunReport(parts, {});
    expect(report).toMatchObject({
      run_id: "r1",
      scenario_id: "refund",
      attempt: 2,
      channel: "voice",
      status: "completed",
      ended_reason: "caller_ended",
      passed: true,
      duration_ms: 1_234.5,
      metadata: { tier: "gold", room_name: "produced" },
      metrics: { turns: 1 },
      error: null,
    });
    expect(report.assertions).toHaveLength(1);
  });

  it("fails a run whose caller hung up on a failed expectation, naming it", async () => {
    const report = await assembleRunReport({ ...parts, problem: 'expected "refund"' }, {});
    expect(report.passed).toBe(false);
    expect(report.error).toContain('expected "refund"');
  });

  it("evaluates nothing for an interrupted run and never passes it", async () => {
    const report = await assembleRunReport(
      {
        ...parts,
        outcome: { ...outcome, status: "interrupted", endedReason: "interrupted", endedBy: "platform" },
      },
      {},
    );
    expect(report.assertions).toEqual([]);
    expect(report.passed).toBe(false);
  });
});

describe("notStartedReport", () => {
  it("fails with the stage's reason and message, no turns, and interrupted stays interrupted", () => {
    const failed = notStartedReport({
      runId: "r2",
      scenario,
      attempt: 1,
      channel: "text",
      reason: "connection_failed",
      message: "refused",
      metadata: { transport: "livekit_chat" },
      metrics: { turns: 0 },
    });
    expect(failed).toMatchObject({
      status: "failed",
      ended_reason: "connection_failed",
      ended_by: "platform",
      passed: false,
      duration_ms: 0,
      transcript: [],
      error: "refused",
      metadata: { tier: "gold", transport: "livekit_chat" },
    });
    const stopped = notStartedReport({ ...failedInput(), reason: "interrupted" });
    expect(stopped.status).toBe("interrupted");
  });
});

function failedInput() {
  return {
    runId: "r3",
    scenario,
    attempt: 1,
    channel: "voice" as const,
    reason: "connection_failed" as const,
    message: "x",
    metrics: {},
  };
}
