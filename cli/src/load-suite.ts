/**
 * Reads a suite file: size-bounded, YAML or JSON, `${VAR}` from the environment, validated by
 * the one schema in protocol. Every problem becomes a UsageError naming the file and field.
 */
import type { Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { interpolateEnv, MAX_SUITE_FILE_BYTES, parseSuite, type Suite } from "@spar/protocol";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { codeFrame } from "./code-frame.ts";
import { UsageError } from "./usage-error.ts";

/** `--agent-url`/`--secret`: replace agent.text's fields as written, before `${VAR}` interpolation. */
export interface SuiteOverrides {
  agentUrl?: string | undefined;
  secret?: string | undefined;
}

export async function loadSuite(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  overrides: SuiteOverrides = {},
): Promise<Suite> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${path}: no such suite file; check the path (spar run looks for spar.yaml when given none)`
        : `${path}: cannot read the suite file (${code ?? (e as Error).message}); check its permissions`,
    );
  }
  if (info.isDirectory()) {
    throw new UsageError(
      `${path}: is a directory; give the suite files in it, e.g. spar run ${join(path, "*.yaml")}`,
    );
  }
  if (info.size > MAX_SUITE_FILE_BYTES) {
    throw new UsageError(
      `${path}: the suite file is ${info.size} bytes, over the limit of ${MAX_SUITE_FILE_BYTES}; split it into several suite files`,
    );
  }
  const text = decodeUtf8(path, await readFile(path));
  return parseSuiteText(path, text, env, overrides);
}

/**
 * Suite files are UTF-8. Node's lenient decoding would turn a stray Latin-1 byte into U+FFFD and
 * a pattern would then silently never match; a UTF-16 file (Windows editors) would not parse at all.
 */
function decodeUtf8(path: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new UsageError(`${path}: the suite file is UTF-16; save it as UTF-8`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder("utf-8").decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf("\uFFFD")));
    const line = before.split("\n").length;
    const offset = Buffer.byteLength(before, "utf8");
    throw new UsageError(
      `${path}: not UTF-8 text (line ${line}, byte offset ${offset}); save the file as UTF-8`,
    );
  }
}

export function parseSuiteText(
  name: string,
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  overrides: SuiteOverrides = {},
): Suite {
  let tree: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both; aliases are capped against bombs.
    tree = parseYaml(text, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    // The yaml package's message ends "at line L, column C:" and its own frame; the position
    // goes up front (editors and terminals link `file:line:col`) and the frame is redrawn.
    const reason = ((e as Error).message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    const pos = e instanceof YAMLParseError ? e.linePos?.[0] : undefined;
    if (!pos) throw new UsageError(`${name}: not valid YAML/JSON: ${reason}`);
    throw new UsageError(
      `${name}:${pos.line}:${pos.col}: not valid YAML/JSON (line ${pos.line}, column ${pos.col}): ${reason}`,
      codeFrame(text, pos.line, pos.col),
    );
  }
  // Overrides replace the fields before interpolation, so a `${VAR}` they replace need not be set.
  const { value, errors: envErrors } = interpolateEnv(applyOverrides(name, tree, overrides), env);
  if (envErrors.length > 0) throw new UsageError(`${name}: invalid suite`, envErrors);
  const parsed = parseSuite(value);
  if (!parsed.ok) throw new UsageError(`${name}: invalid suite`, parsed.errors);
  return parsed.suite;
}

function applyOverrides(name: string, tree: unknown, { agentUrl, secret }: SuiteOverrides): unknown {
  if (agentUrl === undefined && secret === undefined) return tree;
  // A tree without an `agent` object is left for the schema to report.
  if (!isRecord(tree) || !isRecord(tree.agent)) return tree;
  const text = tree.agent.text;
  if (!isRecord(text)) {
    const flags = [agentUrl !== undefined && "--agent-url", secret !== undefined && "--secret"].filter(
      Boolean,
    );
    throw new UsageError(
      `${name}: ${flags.join(" and ")} override${flags.length > 1 ? "" : "s"} agent.text, but this suite has no agent.text; add one or drop the flag`,
    );
  }
  // A flag's value is final (the shell already expanded it): escape what would be interpolated.
  const literal = (v: string) => v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, "$$$${$1}");
  const overridden = {
    ...text,
    ...(agentUrl !== undefined ? { url: literal(agentUrl) } : {}),
    ...(secret !== undefined ? { secret: literal(secret) } : {}),
  };
  return { ...tree, agent: { ...tree.agent, text: overridden } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
