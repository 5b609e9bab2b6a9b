/** A usage or config error: printed without a stack, exit code 2 (docs/report.md § Exit codes). */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Extra lines (e.g. one per invalid field). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}
