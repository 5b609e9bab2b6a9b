/** What a command may touch: the composition root (main.ts) builds it from the process. */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream & { columns?: number };
  stderr: NodeJS.WritableStream;
  /** A terminal a human watches: live progress; otherwise plain lines (CI). */
  interactive: boolean;
  color: boolean;
  /** Where runs write artifacts such as recordings (`.spar` in the working directory). */
  outputDir: string;
  /** Registers a process-wide resource to release after the command, when the process is done with it. */
  atExit(release: () => Promise<void>): void;
  /** `--verbose`: also show diagnostic logs (for voice runs, the media stack's own). Set by the command from its flag. */
  verbose?: boolean;
  /** Aborted on Ctrl-C: running sessions end and reports are still written. */
  signal: AbortSignal;
}
