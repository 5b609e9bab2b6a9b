import type { RunReport, SuiteReport } from "@spar/protocol";

/** The report's counts: every run is passed, failed or interrupted (no verdict either way). */
export function summarizeRuns(runs: readonly RunReport[]): SuiteReport["summary"] {
  const passed = runs.filter((r) => r.passed).length;
  const interrupted = runs.filter((r) => !r.passed && r.status === "interrupted").length;
  return {
    total: runs.length,
    passed,
    failed: runs.length - passed - interrupted,
    interrupted,
    pass_rate: runs.length === 0 ? 0 : Math.round((passed / runs.length) * 1000) / 10,
  };
}
