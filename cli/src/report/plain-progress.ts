/** Progress for CI logs and pipes: no escape codes, no redraws, one line per finished run. */
import type { ProgressReporter, ProgressStream } from "./progress-reporter.ts";
import { formatRunLine } from "./progress-reporter.ts";

export function createPlainProgress(stream: ProgressStream): ProgressReporter {
  return {
    // A line per start would double a CI log without saying anything the finish line does not.
    runStarted() {},
    runFinished(run) {
      stream.write(`${formatRunLine(run, false)}\n`);
    },
    done() {},
  };
}
