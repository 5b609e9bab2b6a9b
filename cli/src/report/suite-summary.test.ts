import { describe, expect, it } from "vitest";
import { interruptedRun, sampleSuiteReport } from "./sample-suite-report.ts";
import { summarizeRuns } from "./suite-summary.ts";

describe("summarizeRuns", () => {
  it("counts every run as passed, failed or interrupted, with the pass rate over all runs", () => {
    expect(summarizeRuns([...sampleSuiteReport.runs, interruptedRun])).toEqual({
      total: 5,
      passed: 2,
      failed: 2,
      interrupted: 1,
      pass_rate: 40,
    });
    expect(summarizeRuns([])).toEqual({ total: 0, passed: 0, failed: 0, interrupted: 0, pass_rate: 0 });
  });
});
