import type { Assertion, TranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { evaluateAssertions } from "./assertions.ts";
import type { RunOutcome } from "./run-outcome.ts";

const transcript: TranscriptEntry[] = [
  { role: "user", content: "Hi, I'd like to pay my bill", at_ms: 0 },
  { role: "agent", content: "Sure. What is your account number?", at_ms: 40, latency_ms: 40 },
  { role: "user", content: '<dtmf digits="12345#"/>', at_ms: 50 },
  {
    role: "function_call",
    content: "",
    at_ms: 60,
    data: { id: "c1", name: "process_payment", arguments: { amount: 42, currency: "USD" } },
  },
  {
    role: "function_call",
    content: "",
    at_ms: 61,
    data: { name: "log_event", arguments: '{"level":"info"}' },
  },
  { role: "agent", content: "Your payment is complete.", at_ms: 1900, latency_ms: 1850 },
];
const outcome: RunOutcome = {
  status: "completed",
  endedReason: "agent_ended",
  endedBy: "agent",
  transcript,
  metadata: { payment_status: "paid", receipt: { id: "r1", total: 42 } },
};

async function one(a: Assertion, o: RunOutcome = outcome) {
  const [r] = await evaluateAssertions([a], o, {});
  if (!r) throw new Error("no result");
  return r;
}

describe("assertions", () => {
  it("agent_said passes when any agent turn matches and quotes it", async () => {
    expect(await one({ agent_said: "/payment (is )?complete/i" })).toEqual({
      kind: "agent_said",
      passed: true,
      detail: 'agent turn 2 matched /payment (is )?complete/i: "Your payment is complete."',
    });
  });

  it("agent_said fails with the pattern and the last thing the agent said", async () => {
    expect(await one({ agent_said: "refund" })).toEqual({
      kind: "agent_said",
      passed: false,
      detail: 'expected an agent turn matching "refund"; none of 2 did (last: "Your payment is complete.")',
    });
  });

  it("agent_said does not match the caller's own words", async () => {
    expect((await one({ agent_said: "pay my bill" })).passed).toBe(false);
  });

  it("agent_never_said fails quoting the offending turn", async () => {
    expect(await one({ agent_never_said: "/account number/" })).toEqual({
      kind: "agent_never_said",
      passed: false,
      detail:
        'expected no agent turn matching /account number/, but turn 1 did: "Sure. What is your account number?"',
    });
    expect((await one({ agent_never_said: "/sorry|error/i" })).passed).toBe(true);
  });

  it("function_called matches the name and a subset of the arguments", async () => {
    expect(await one({ function_called: { name: "process_payment", arguments: { amount: 42 } } })).toEqual({
      kind: "function_called",
      passed: true,
      detail: 'called process_payment({"amount":42,"currency":"USD"})',
    });
    expect((await one({ function_called: { name: "process_payment" } })).passed).toBe(true);
  });

  it("function_called decodes arguments the agent sent as a JSON string", async () => {
    expect((await one({ function_called: { name: "log_event", arguments: { level: "info" } } })).passed).toBe(
      true,
    );
  });

  it("function_called says which argument differed", async () => {
    const r = await one({ function_called: { name: "process_payment", arguments: { amount: 43 } } });
    expect(r.passed).toBe(false);
    expect(r.detail).toBe(
      'expected a call to process_payment({"amount":43} ⊆ arguments); process_payment was called 1 time(s) but the arguments differ (first: arguments.amount: expected 43, found 42)',
    );
  });

  it("function_called lists the calls seen when the name never appears", async () => {
    expect((await one({ function_called: { name: "refund" } })).detail).toBe(
      "expected a call to refund; calls seen: process_payment, log_event",
    );
  });

  it("ended_by and ended_reason compare against the outcome", async () => {
    expect(await one({ ended_by: "caller" })).toEqual({
      kind: "ended_by",
      passed: false,
      detail: "expected ended_by caller, found agent",
    });
    expect(await one({ ended_reason: "agent_ended" })).toEqual({
      kind: "ended_reason",
      passed: true,
      detail: "expected ended_reason agent_ended, found agent_ended",
    });
  });

  it("max_latency_ms checks every agent turn", async () => {
    expect(await one({ max_latency_ms: 2000 })).toEqual({
      kind: "max_latency_ms",
      passed: true,
      detail: "all 2 agent turns within 2000 ms (worst 1850 ms)",
    });
    expect(await one({ max_latency_ms: 1000 })).toEqual({
      kind: "max_latency_ms",
      passed: false,
      detail: "expected every agent turn within 1000 ms; 1 of 2 exceeded it (worst 1850 ms)",
    });
  });

  it("max_latency_ms fails when the agent replied but no reply was timed, and passes a greeting-only call", async () => {
    const untimed: RunOutcome = {
      ...outcome,
      transcript: [
        { role: "user", content: "hello", at_ms: 0 },
        { role: "agent", content: "hi there", at_ms: 900 },
      ],
    };
    expect(await one({ max_latency_ms: 2000 }, untimed)).toEqual({
      kind: "max_latency_ms",
      passed: false,
      detail:
        "the agent replied (1 agent turns) but no reply's latency was measured, so the 2000 ms limit cannot be checked",
    });
    const greetingOnly: RunOutcome = {
      ...outcome,
      transcript: [{ role: "agent", content: "welcome", at_ms: 0 }],
    };
    expect(await one({ max_latency_ms: 2000 }, greetingOnly)).toEqual({
      kind: "max_latency_ms",
      passed: true,
      detail: "no agent reply to a caller turn to check (limit 2000 ms)",
    });
  });

  it("metadata is a deep subset match of the merged metadata", async () => {
    expect((await one({ metadata: { payment_status: "paid", receipt: { total: 42 } } })).passed).toBe(true);
    expect(await one({ metadata: { payment_status: "failed" } })).toEqual({
      kind: "metadata",
      passed: false,
      detail: 'metadata.payment_status: expected "failed", found "paid"',
    });
  });

  it("judge without an LLM config is a failed result that says so", async () => {
    expect(await one({ judge: "The agent was polite" })).toEqual({
      kind: "judge",
      passed: false,
      detail: 'cannot judge "The agent was polite": no caller.llm is configured for the LLM judge',
    });
  });

  it("keeps the order of the assertions", async () => {
    const results = await evaluateAssertions(
      [{ ended_by: "agent" }, { agent_said: "complete" }, { metadata: { x: 1 } }],
      outcome,
      {},
    );
    expect(results.map((r) => [r.kind, r.passed])).toEqual([
      ["ended_by", true],
      ["agent_said", true],
      ["metadata", false],
    ]);
  });
});
