import type { TranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { evaluateMetrics, type RunMetric, SKIPPED_ON_VOICE } from "./agent-metrics.ts";
import type { RunOutcome } from "./run-outcome.ts";

const transcript: TranscriptEntry[] = [
  { role: "user", content: "Hi", at_ms: 0 },
  { role: "agent", content: "Hello there", at_ms: 40, latency_ms: 40 },
];
const outcome: RunOutcome = {
  status: "completed",
  endedReason: "caller_ended",
  endedBy: "caller",
  transcript,
  metadata: {},
};
const greets: RunMetric = {
  name: "greets",
  assertion: { agent_said: "/hello/i" },
  appliesTo: "text_and_voice",
  critical: true,
};
const textOnly: RunMetric = {
  name: "no-markdown",
  assertion: { agent_never_said: "/\\*\\*/" },
  appliesTo: "text_only",
  critical: false,
};
const ends: RunMetric = {
  name: "agent hangs up",
  assertion: { ended_by: "agent" },
  appliesTo: "text_and_voice",
  critical: false,
};

describe("evaluateMetrics", () => {
  it("records each metric as kind metric:<name>, its assertion kind and weight in the detail", async () => {
    expect(await evaluateMetrics([greets, ends], outcome, "text", {})).toEqual([
      {
        critical: true,
        result: {
          kind: "metric:greets",
          passed: true,
          detail: '(agent_said, critical) agent turn 1 matched /hello/i: "Hello there"',
        },
      },
      {
        critical: false,
        result: {
          kind: "metric:agent hangs up",
          passed: false,
          detail: "(ended_by, non-critical) expected ended_by agent, found caller",
        },
      },
    ]);
  });

  it("skips a text_only metric on a voice run, reporting it passed and skipped, in order", async () => {
    const results = await evaluateMetrics([textOnly, ends], outcome, "voice", {});
    expect(results.map((m) => m.result)).toEqual([
      { kind: "metric:no-markdown", passed: true, detail: SKIPPED_ON_VOICE },
      {
        kind: "metric:agent hangs up",
        passed: false,
        detail: "(ended_by, non-critical) expected ended_by agent, found caller",
      },
    ]);
  });

  it("evaluates a text_only metric on a text run", async () => {
    const [r] = await evaluateMetrics([textOnly], outcome, "text", {});
    expect(r?.result.detail).not.toBe(SKIPPED_ON_VOICE);
    expect(r?.result.passed).toBe(true);
  });
});
