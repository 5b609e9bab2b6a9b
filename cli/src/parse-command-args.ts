import { type ParseArgsConfig, parseArgs } from "node:util";
import { closestName } from "./closest-name.ts";
import { UsageError } from "./usage-error.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Strict flag parsing for one command. `-h`/`--help` anywhere wins (as in vitest and k6), even
 * next to a bad flag. Every other problem is a UsageError (exit 2) of one line naming the flag,
 * the rule and the fix, plus a hint pointing at the command's help: node's own parse errors
 * run to three lines and talk about positionals the user never meant.
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
) {
  const loose = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const hint = `run "spar ${command} --help" for the options`;
  const fail = (message: string): never => {
    throw new UsageError(message, [], hint);
  };
  const optionTokens = loose.tokens.flatMap((t) => (t.kind === "option" ? [t] : []));
  if (optionTokens.some((t) => t.name === "help")) return { help: true as const };

  const seen = new Set<string>();
  for (const token of optionTokens) {
    const option = options[token.name];
    const flag = token.rawName;
    if (!option) {
      const names = Object.keys(options).map((n) => `--${n}`);
      const near = closestName(flag.startsWith("--") ? flag : `--${token.name}`, names);
      fail(`unknown option ${flag}${near ? `; did you mean ${near}?` : ""}`);
      continue;
    }
    if (option.type === "boolean") {
      if (token.value !== undefined) fail(`${flag} takes no value; write ${flag} alone`);
    } else if (token.value === undefined) {
      fail(`${flag} needs a value: ${flag} VALUE`);
    } else if (!token.inlineValue && token.value.startsWith("-")) {
      fail(
        `${flag} needs a value but got "${token.value}"; to pass a value starting with "-", write ${flag}=${token.value}`,
      );
    } else if (token.value === "") {
      fail(`${flag} needs a non-empty value`);
    }
    if (!option.multiple && seen.has(token.name)) fail(`${flag} is given twice; give it once`);
    seen.add(token.name);
  }
  try {
    return {
      help: false as const,
      ...parseArgs({ args: [...argv], allowPositionals: true, strict: true, options }),
    };
  } catch (e) {
    // Every case node rejects is caught above; this keeps a future one to a single line.
    return fail((e as Error).message.split("\n")[0] ?? "invalid options");
  }
}
