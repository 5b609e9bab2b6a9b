import { describe, expect, it } from "vitest";
import {
  ENDED_REASONS,
  endedBySchema,
  endedReasonSchema,
  runReportSchema,
  suiteReportSchema,
  textRunMetricsSchema,
  transcriptEntrySchema,
} from "./run.ts";

/** The run of the suite contract's JSON report example. */
const specRun = {
  run_id: "r-1",
  scenario_id: "pay-bill",
  attempt: 1,
  channel: "text",
  status: "completed",
  ended_reason: "agent_ended",
  ended_by: "agent",
  passed: true,
  duration_ms: 203,
  transcript: [
    { role: "user", content: "Hi", at_ms: 0 },
    { role: "agent", content: "Hello", at_ms: 41, latency_ms: 41 },
    {
      role: "function_call",
      content: "",
      at_ms: 50,
      data: { id: "c1", name: "process_payment", arguments: { amount: 42 } },
    },
  ],
  metadata: { payment_status: "paid" },
  assertions: [{ kind: "agent_said", passed: true, detail: "matched /payment (is )?complete/i" }],
  metrics: { turns: 4, latency_ms: { average_ms: 38, p50_ms: 36, p95_ms: 52 } },
  error: null,
};

describe("runReportSchema", () => {
  it("accepts the run of the spec's report example unchanged", () => {
    expect(runReportSchema.parse(specRun)).toEqual(specRun);
  });

  it("accepts a failed run with its error detail", () => {
    const failed = {
      ...specRun,
      status: "failed",
      ended_reason: "protocol_error",
      ended_by: "platform",
      passed: false,
      error: "frame is not JSON; frame: hello",
    };
    expect(runReportSchema.parse(failed)).toEqual(failed);
  });

  it("refuses attempt 0, an unknown status and a missing error", () => {
    expect(runReportSchema.safeParse({ ...specRun, attempt: 0 }).success).toBe(false);
    expect(runReportSchema.safeParse({ ...specRun, status: "passed" }).success).toBe(false);
    const { error: _error, ...withoutError } = specRun;
    expect(runReportSchema.safeParse(withoutError).success).toBe(false);
  });
});

describe("suiteReportSchema", () => {
  it("accepts a report with its batch id, summary and runs", () => {
    const report = {
      suite: "billing.yaml",
      batch_id: "b-1",
      started_at: "2025-01-01T00:00:00.000Z",
      duration_ms: 812,
      summary: { total: 4, passed: 3, failed: 1, interrupted: 0, pass_rate: 75 },
      runs: [specRun],
    };
    expect(suiteReportSchema.parse(report)).toEqual(report);
  });

  it("reads a report written before the interrupted count as 0 interrupted", () => {
    const report = {
      suite: "s",
      batch_id: "b",
      started_at: "t",
      duration_ms: 1,
      summary: { total: 1, passed: 1, failed: 0, pass_rate: 100 },
      runs: [],
    };
    expect(suiteReportSchema.parse(report).summary.interrupted).toBe(0);
  });

  it("refuses a fractional run count", () => {
    const report = {
      suite: "s",
      batch_id: "b",
      started_at: "t",
      duration_ms: 1,
      summary: { total: 1.5, passed: 1, failed: 0, pass_rate: 100 },
      runs: [],
    };
    expect(suiteReportSchema.safeParse(report).success).toBe(false);
  });
});

describe("transcriptEntrySchema", () => {
  it("accepts every role", () => {
    for (const role of ["user", "agent", "function_call", "function_call_result"]) {
      expect(transcriptEntrySchema.safeParse({ role, content: "", at_ms: 0 }).success).toBe(true);
    }
  });

  it("keeps a function result's data", () => {
    const entry = {
      role: "function_call_result",
      content: "",
      at_ms: 60,
      data: { id: "c1", result: { ok: true } },
    };
    expect(transcriptEntrySchema.parse(entry)).toEqual(entry);
  });

  it("refuses an unknown role and a missing at_ms", () => {
    expect(transcriptEntrySchema.safeParse({ role: "system", content: "", at_ms: 0 }).success).toBe(false);
    expect(transcriptEntrySchema.safeParse({ role: "user", content: "" }).success).toBe(false);
  });
});

describe("end reasons", () => {
  it("covers every text outcome of the lifecycle table", () => {
    for (const reason of [
      "caller_ended",
      "agent_ended",
      "agent_timeout",
      "max_duration",
      "connection_failed",
      "connection_lost",
      "protocol_error",
      "internal_error",
    ]) {
      expect(ENDED_REASONS).toContain(reason);
    }
    expect(endedReasonSchema.safeParse("timeout").success).toBe(false);
  });

  it("knows who can end a run", () => {
    expect(endedBySchema.options).toEqual(["caller", "agent", "platform"]);
  });
});

describe("textRunMetricsSchema", () => {
  it("allows no latency summary for a run without agent turns", () => {
    expect(textRunMetricsSchema.parse({ turns: 0, latency_ms: null })).toEqual({
      turns: 0,
      latency_ms: null,
    });
  });
});
