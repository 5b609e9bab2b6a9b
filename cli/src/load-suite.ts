/**
 * Reads a suite file: size-bounded, YAML or JSON, `${VAR}` from the environment, validated by
 * the one schema in protocol. Every problem becomes a UsageError naming the file and field.
 */
import { readFile, stat } from "node:fs/promises";
import { interpolateEnv, MAX_SUITE_FILE_BYTES, parseSuite, type Suite } from "@spar/protocol";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { UsageError } from "./usage-error.ts";

export async function loadSuite(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Suite> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new UsageError(`${path}: cannot read the suite file (does it exist?)`);
  }
  if (size > MAX_SUITE_FILE_BYTES) {
    throw new UsageError(
      `${path}: the suite file is ${size} bytes; the limit is ${MAX_SUITE_FILE_BYTES}. Split it.`,
    );
  }
  const text = await readFile(path, "utf8");
  return parseSuiteText(path, text, env);
}

export function parseSuiteText(
  name: string,
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): Suite {
  let tree: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both; aliases are capped against bombs.
    tree = parseYaml(text, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : "";
    const first = (e as Error).message.split("\n")[0];
    throw new UsageError(`${name}: not valid YAML/JSON${where}: ${first}`);
  }
  const { value, errors: envErrors } = interpolateEnv(tree, env);
  if (envErrors.length > 0) throw new UsageError(`${name}: invalid suite`, envErrors);
  const parsed = parseSuite(value);
  if (!parsed.ok) throw new UsageError(`${name}: invalid suite`, parsed.errors);
  return parsed.suite;
}
