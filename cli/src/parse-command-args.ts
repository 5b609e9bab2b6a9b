import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./usage-error.ts";

/** Strict flag parsing for one command; an unknown or malformed flag is a UsageError (exit 2). */
export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  argv: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError(`spar ${command}: ${(e as Error).message}`);
  }
}
