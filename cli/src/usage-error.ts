/** A usage or config error: printed without a stack, exit code 2 (docs/report.md § Exit codes). */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Extra lines (e.g. one per invalid field, a code frame). */
    readonly details: readonly string[] = [],
    /** A last line pointing at the help, e.g. `run "spar run --help" for the options`. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}
