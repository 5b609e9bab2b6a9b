/**
 * The `spar` command's dispatcher, free of process globals so tests can drive it. Usage/config errors exit 2 with a message (never a stack); faults exit 2 too,
 * with the message and a hint to report it.
 */

import type { CliContext } from "./cli-context.ts";
import { probeCommand } from "./commands/probe.ts";
import { runCommand } from "./commands/run.ts";
import { USAGE } from "./usage.ts";
import { UsageError } from "./usage-error.ts";

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run":
        return await runCommand(rest, ctx);
      case "probe":
        return await probeCommand(rest, ctx);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        ctx.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; try: spar help`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(`spar: ${e.message}\n`);
      for (const line of e.details) ctx.stderr.write(`  ${line}\n`);
      return 2;
    }
    ctx.stderr.write(`spar: unexpected error: ${(e as Error)?.message ?? String(e)}\n`);
    if (ctx.env.SPAR_DEBUG) ctx.stderr.write(`${(e as Error)?.stack ?? ""}\n`);
    return 2;
  }
}
