import type { AssertionResult, TranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { runVerdict, type VerdictInput } from "./run-verdict.ts";

const said: TranscriptEntry[] = [
  { role: "user", content: "Hi", at_ms: 0 },
  { role: "agent", content: "Bye", at_ms: 5 },
];
const base: VerdictInput = {
  status: "completed",
  endedReason: "agent_ended",
  problem: null,
  script: [{ say: "Hi" }, { wait_for_end: true }],
  transcript: said,
  assertions: [],
};
const held: AssertionResult = { kind: "agent_said", passed: true, detail: "matched" };
const broken: AssertionResult = { kind: "ended_by", passed: false, detail: "expected agent, got caller" };

describe("runVerdict", () => {
  it("passes a completed run whose script played out and whose assertions held", () => {
    expect(runVerdict({ ...base, assertions: [held] })).toEqual({ passed: true, error: null });
  });

  it("fails a completed run whose agent hung up before the script was played", () => {
    expect(runVerdict({ ...base, script: [{ say: "Hi" }, { expect: "/help/", say: "x" }] })).toEqual({
      passed: false,
      error: "the agent ended the call at step 2 of 2; `expect /help/` was never checked",
    });
  });

  it("does not hold the caller's own hang-up against the script", () => {
    const verdict = runVerdict({
      ...base,
      endedReason: "caller_ended",
      script: [{ say: "Hi" }, { end: true }, { say: "x" }],
    });
    expect(verdict.passed).toBe(true);
  });

  it("fails on the caller's complaint before anything else", () => {
    expect(
      runVerdict({
        ...base,
        endedReason: "caller_ended",
        problem: "expectation failed: x",
        assertions: [broken],
      }),
    ).toEqual({
      passed: false,
      error: "expectation failed: x",
    });
  });

  it("fails on every failed assertion, listed in order", () => {
    const other: AssertionResult = { kind: "agent_said", passed: false, detail: "no match" };
    expect(runVerdict({ ...base, assertions: [broken, held, other] }).error).toBe(
      "ended_by: expected agent, got caller; agent_said: no match",
    );
  });

  it("never passes a failed or interrupted run, even with nothing else to say", () => {
    expect(runVerdict({ ...base, status: "failed", endedReason: "connection_lost" })).toEqual({
      passed: false,
      error: "failed / connection_lost",
    });
    expect(
      runVerdict({ ...base, status: "interrupted", endedReason: "interrupted", problem: "Ctrl-C" }),
    ).toEqual({
      passed: false,
      error: "Ctrl-C",
    });
  });

  it("passes a persona run (no script) the agent ended", () => {
    expect(runVerdict({ ...base, script: undefined, transcript: [] }).passed).toBe(true);
  });

  it("fails a run whose critical metric failed, naming the metric as its error", () => {
    const metric = { kind: "metric:polite", passed: false, detail: "(judge, critical) rude" };
    expect(
      runVerdict({ ...base, assertions: [held], metrics: [{ critical: true, result: metric }] }),
    ).toEqual({
      passed: false,
      error: "metric:polite: (judge, critical) rude",
    });
  });

  it("passes a run whose only failed metric is not critical", () => {
    const metric = { kind: "metric:brief", passed: false, detail: "(judge, non-critical) long" };
    expect(runVerdict({ ...base, metrics: [{ critical: false, result: metric }] })).toEqual({
      passed: true,
      error: null,
    });
  });

  it("names the failed assertions before the critical metrics, and not the non-critical ones", () => {
    const critical = { kind: "metric:a", passed: false, detail: "x" };
    const minor = { kind: "metric:b", passed: false, detail: "y" };
    const verdict = runVerdict({
      ...base,
      assertions: [broken],
      metrics: [
        { critical: false, result: minor },
        { critical: true, result: critical },
      ],
    });
    expect(verdict).toEqual({
      passed: false,
      error: "ended_by: expected agent, got caller; metric:a: x",
    });
  });

  it("passes a run whose critical metric held", () => {
    const metric = { kind: "metric:a", passed: true, detail: "ok" };
    expect(runVerdict({ ...base, metrics: [{ critical: true, result: metric }] }).passed).toBe(true);
  });
});
