/** What a command may touch: the composition root (main.ts) builds it from the process. */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream & { columns?: number };
  stderr: NodeJS.WritableStream;
  /** A terminal a human watches: live progress; otherwise plain lines (CI). */
  interactive: boolean;
  color: boolean;
  /** Aborted on Ctrl-C: running sessions end and reports are still written. */
  signal: AbortSignal;
}
