import { describe, expect, it } from "vitest";
import { interruptedRun, sampleSuiteReport } from "./sample-suite-report.ts";
import { renderSummaryTable } from "./summary-table.ts";

describe("renderSummaryTable", () => {
  it("renders one row per scenario, totals and the failed runs with why", () => {
    expect(renderSummaryTable(sampleSuiteReport, { color: false })).toBe(
      [
        "SCENARIO      RUNS  P50    STATUS",
        "pay-bill      2/2   39 ms  PASS",
        "angry-refund  0/1   -      FAIL",
        "escape        0/1   5 ms   FAIL",
        "",
        "2/4 runs passed (50%), 2 of 3 scenarios failed, in 812 ms",
        "",
        "Failed runs:",
        "  angry-refund#1  failed / agent_timeout",
        "    agent did not reply within 1 s",
        "    ✗ agent_said: not evaluated: the run failed",
        "  escape#1  completed / agent_ended",
        "    expectation failed: expected /confirm/i, agent said a<b & \"c\" 'd'\\u0001\\u001B[31mred",
        "    second line",
        "    ✗ agent_never_said: agent said a<b & \"c\" 'd'\\u0001\\u001B[31mred",
        "",
      ].join("\n"),
    );
  });

  it("lists a run that failed on its assertions alone once, assertion by assertion", () => {
    const run = sampleSuiteReport.runs[0];
    if (!run) throw new Error("no run");
    const assertions = [
      { kind: "agent_said", passed: false, detail: "no match" },
      { kind: "ended_by", passed: true, detail: "agent" },
      { kind: "max_latency_ms", passed: false, detail: "turn 2 took 900 ms" },
    ];
    const failedOnAssertions = {
      ...run,
      passed: false,
      assertions,
      error: "agent_said: no match; max_latency_ms: turn 2 took 900 ms",
    };
    const table = renderSummaryTable(
      {
        ...sampleSuiteReport,
        runs: [failedOnAssertions],
        summary: { ...sampleSuiteReport.summary, total: 1 },
      },
      { color: false },
    );
    expect(table.split("Failed runs:\n")[1]).toBe(
      [
        "  pay-bill#1  completed / agent_ended",
        "    ✗ agent_said: no match",
        "    ✗ max_latency_ms: turn 2 took 900 ms",
        "",
      ].join("\n"),
    );
  });

  it("lists a run that failed on a critical metric once, beside a failed non-critical one", () => {
    const run = sampleSuiteReport.runs[0];
    if (!run) throw new Error("no run");
    const failed = {
      ...run,
      passed: false,
      assertions: [
        { kind: "metric:tone", passed: false, detail: "(judge, critical) rude" },
        { kind: "metric:speed", passed: false, detail: "(max_latency_ms, not critical) slow" },
      ],
      error: "metric:tone: (judge, critical) rude",
    };
    const table = renderSummaryTable(
      { ...sampleSuiteReport, runs: [failed], summary: { ...sampleSuiteReport.summary, total: 1 } },
      { color: false },
    );
    expect(table.split("Failed runs:\n")[1]).toBe(
      [
        "  pay-bill#1  completed / agent_ended",
        "    ✗ metric:tone: (judge, critical) rude",
        "    ✗ metric:speed: (max_latency_ms, not critical) slow",
        "",
      ].join("\n"),
    );
  });

  it("colors statuses only when asked, without changing the layout", () => {
    const colored = renderSummaryTable(sampleSuiteReport, { color: true });
    expect(colored).toContain("\u001B[32mPASS\u001B[0m");
    expect(colored).toContain("\u001B[31mFAIL\u001B[0m");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the color codes
    expect(colored.replace(/\u001B\[\d+m/g, "")).toBe(
      renderSummaryTable(sampleSuiteReport, { color: false }),
    );
  });

  it("shows a decimal pass rate and a dash when no turn has a latency", () => {
    const [first] = sampleSuiteReport.runs;
    if (!first) throw new Error("fixture has runs");
    const report = {
      ...sampleSuiteReport,
      duration_ms: 2500,
      summary: { total: 3, passed: 2, failed: 1, interrupted: 0, pass_rate: 66.666 },
      runs: [{ ...first, transcript: [] }],
    };
    const text = renderSummaryTable(report, { color: false });
    expect(text).toContain("pay-bill  1/1   -    PASS");
    expect(text).toContain("2/3 runs passed (66.7%), 0 of 1 scenario failed, in 2.5 s");
    expect(text).not.toContain("Failed runs:");
  });

  it("shows Ctrl-C's runs as interrupted: in the rows and totals, never among the failed runs", () => {
    const [pass1] = sampleSuiteReport.runs;
    if (!pass1) throw new Error("fixture has runs");
    const report = {
      ...sampleSuiteReport,
      summary: { total: 2, passed: 1, failed: 0, interrupted: 1, pass_rate: 50 },
      runs: [pass1, interruptedRun],
    };
    expect(renderSummaryTable(report, { color: false })).toBe(
      [
        "SCENARIO    RUNS  P50    STATUS",
        "pay-bill    1/1   36 ms  PASS",
        "slow-agent  0/1   -      INTERRUPTED",
        "",
        "1/2 runs passed (50%), 1 interrupted, 0 of 2 scenarios failed, in 812 ms",
        "",
      ].join("\n"),
    );
    expect(renderSummaryTable(report, { color: true })).toContain("\u001B[33mINTERRUPTED\u001B[0m");
  });
});
