import type { SuiteReport } from "@spar/protocol";
import { writeFileAtomic } from "./atomic-write.ts";

/** The `--report-json` file (docs/report.md). */
export async function writeJsonReport(path: string, report: SuiteReport): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}
