/** 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

export interface InterruptTarget {
  onSigint(listener: () => void): void;
  stderr: { write(text: string): unknown };
  exit(code: number): void;
}

/**
 * First Ctrl-C: `abort` fires, so running sessions end `interrupted` and the summary and reports
 * are still written. Second: the person wants out now, reports or not.
 */
export function handleInterrupts(target: InterruptTarget, abort: AbortController): void {
  target.onSigint(() => {
    if (abort.signal.aborted) {
      target.stderr.write("\nspar: interrupted again; exiting without waiting\n");
      target.exit(EXIT_INTERRUPTED);
      return;
    }
    target.stderr.write(
      "\nspar: interrupted; ending the running sessions and writing the reports (Ctrl-C again to exit now)\n",
    );
    abort.abort(new Error("interrupted (Ctrl-C)"));
  });
}
