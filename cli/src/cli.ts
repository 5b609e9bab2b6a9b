/**
 * The `spar` command's dispatcher, free of process globals so tests can drive it. Usage/config
 * errors exit 2 with one line on stderr (never a stack); faults exit 2 too, with the message.
 * Help and the version go to stdout with exit 0: they were asked for.
 */

import type { CliContext } from "./cli-context.ts";
import { closestName } from "./closest-name.ts";
import { probeCommand } from "./commands/probe.ts";
import { runCommand } from "./commands/run.ts";
import { serveCommand } from "./commands/serve.ts";
import { PROBE_HELP, RUN_HELP, SERVE_HELP, USAGE } from "./usage.ts";
import { UsageError } from "./usage-error.ts";
import { VERSION } from "./version.ts";

const COMMAND_HELP: Record<string, string> = { run: RUN_HELP, probe: PROBE_HELP, serve: SERVE_HELP };
const TOP_HINT = 'run "spar --help" for the commands';

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  const who = command === "run" || command === "probe" || command === "serve" ? `spar ${command}` : "spar";
  try {
    switch (command) {
      case "run":
        return await runCommand(rest, ctx);
      case "probe":
        return await probeCommand(rest, ctx);
      case "serve":
        return await serveCommand(rest, ctx);
      // Bare `spar` prints the help and exits 0, as k6 does: nothing was asked that could fail.
      case undefined:
      case "--help":
      case "-h":
        ctx.stdout.write(`${USAGE}\n`);
        return 0;
      case "help": {
        const topic = rest[0];
        if (topic === undefined) ctx.stdout.write(`${USAGE}\n`);
        else if (COMMAND_HELP[topic]) ctx.stdout.write(`${COMMAND_HELP[topic]}\n`);
        else
          throw new UsageError(`no help for "${topic}"; the commands are run, probe and serve`, [], TOP_HINT);
        return 0;
      }
      // vitest's spelling; `spar version` for those used to k6's.
      case "--version":
      case "-v":
      case "version":
        ctx.stdout.write(`spar ${VERSION}\n`);
        return 0;
      default: {
        const kind = command.startsWith("-") ? "option" : "command";
        const near = closestName(
          command,
          kind === "option" ? ["--help", "--version"] : ["run", "probe", "serve", "help"],
        );
        throw new UsageError(
          `unknown ${kind} ${kind === "option" ? command : `"${command}"`}${near ? `; did you mean ${near}?` : ""}`,
          [],
          TOP_HINT,
        );
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(`${who}: ${e.message}\n`);
      for (const line of e.details) ctx.stderr.write(`  ${line}\n`);
      if (e.hint) ctx.stderr.write(`${e.hint}\n`);
      return 2;
    }
    const message = ((e as Error)?.message ?? String(e)).split("\n")[0];
    ctx.stderr.write(`${who}: unexpected error: ${message}\n`);
    if (ctx.env.SPAR_DEBUG) ctx.stderr.write(`${(e as Error)?.stack ?? ""}\n`);
    else ctx.stderr.write("this is a bug in spar: rerun with SPAR_DEBUG=1 for the stack and report it\n");
    return 2;
  }
}
