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
});
