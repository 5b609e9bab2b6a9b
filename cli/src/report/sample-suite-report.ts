/** A fixed report for the writer and renderer tests: two passes, a timeout, an assertion failure with hostile text; and an interrupted run. */
import type { RunReport, SuiteReport } from "@spar/protocol";

export function sampleRun(
  overrides: Partial<RunReport> & Pick<RunReport, "run_id" | "scenario_id" | "attempt">,
): RunReport {
  return {
    channel: "text",
    status: "completed",
    ended_reason: "agent_ended",
    ended_by: "agent",
    passed: true,
    duration_ms: 200,
    transcript: [],
    metadata: {},
    assertions: [],
    metrics: {},
    error: null,
    ...overrides,
  };
}

export const HOSTILE = "a<b & \"c\" 'd'\u0001\u001B[31mred";

export const sampleSuiteReport: SuiteReport = {
  suite: "billing.yaml",
  batch_id: "batch-1",
  started_at: "2025-01-02T03:04:05.000Z",
  duration_ms: 812,
  summary: { total: 4, passed: 2, failed: 2, interrupted: 0, pass_rate: 50 },
  runs: [
    sampleRun({
      run_id: "r1",
      scenario_id: "pay-bill",
      attempt: 1,
      duration_ms: 203,
      transcript: [
        { role: "user", content: "Hi", at_ms: 0 },
        { role: "agent", content: "Hello", at_ms: 41, latency_ms: 41 },
        { role: "user", content: "Pay", at_ms: 60 },
        { role: "agent", content: "Done", at_ms: 90, latency_ms: 30 },
      ],
    }),
    sampleRun({
      run_id: "r2",
      scenario_id: "pay-bill",
      attempt: 2,
      duration_ms: 180,
      transcript: [
        { role: "agent", content: "Hello", at_ms: 36, latency_ms: 36 },
        { role: "function_call", content: "", at_ms: 40, latency_ms: 1 },
        { role: "agent", content: "Done", at_ms: 90, latency_ms: 50 },
      ],
    }),
    sampleRun({
      run_id: "r3",
      scenario_id: "angry-refund",
      attempt: 1,
      status: "failed",
      ended_reason: "agent_timeout",
      ended_by: "platform",
      passed: false,
      duration_ms: 1500,
      transcript: [{ role: "user", content: "I want a refund", at_ms: 0 }],
      assertions: [{ kind: "agent_said", passed: false, detail: "not evaluated: the run failed" }],
      error: "agent did not reply within 1 s",
    }),
    sampleRun({
      run_id: "r4",
      scenario_id: "escape",
      attempt: 1,
      passed: false,
      duration_ms: 90,
      transcript: [{ role: "agent", content: HOSTILE, at_ms: 5, latency_ms: 5 }],
      assertions: [
        { kind: "ended_by", passed: true, detail: "agent ended" },
        { kind: "agent_never_said", passed: false, detail: `agent said ${HOSTILE}` },
      ],
      error: `expectation failed: expected /confirm/i, agent said ${HOSTILE}\nsecond line`,
    }),
  ],
};

/** A run Ctrl-C stopped mid-conversation: no verdict, no assertions evaluated. */
export const interruptedRun: RunReport = sampleRun({
  run_id: "r5",
  scenario_id: "slow-agent",
  attempt: 1,
  status: "interrupted",
  ended_reason: "interrupted",
  ended_by: "platform",
  passed: false,
  duration_ms: 1200,
  transcript: [{ role: "user", content: "Hello?", at_ms: 0 }],
  error: "interrupted (Ctrl-C)",
});
