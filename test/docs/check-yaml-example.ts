/**
 * Loads a documentation YAML example with the real suite loader, the way `spar run` would:
 * every `${VAR}` it uses is given a dummy value that fits where it stands (a URL for a URL
 * field), and a block marked `<!-- fragment: PATH -->` is placed at PATH inside a minimal
 * suite first, so a fragment is held to the same schema as a whole file.
 */
import type { Suite } from "@spar/protocol";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { parseSuiteText } from "../../cli/src/load-suite.ts";
import { UsageError } from "../../cli/src/usage-error.ts";

/** A suite every fragment path fits into: a text agent, an LLM, one scenario. */
function minimalSuite(): Record<string, unknown> {
  return {
    version: 1,
    agent: { id: "docs-example", text: { url: "ws://127.0.0.1:9/ws", secret: "example" } },
    caller: { llm: { base_url: "http://127.0.0.1:9/v1", model: "example" } },
    scenarios: [{ id: "example", script: [{ say: "Hello" }] }],
  };
}

const HTTP_KEYS = /(^|_)(base_url|bot_runner_url|web_call_url|generate_token_endpoint)$/;

/**
 * A value per `${VAR}` in `text`: a URL when the variable is a whole URL field's value, else a
 * plain word (which also fits inside a larger URL such as `wss://${HOST}/ws`). `$${` is skipped:
 * it is a literal, not a lookup.
 */
export function dummyEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    const name = m[1] ?? "";
    const before = text.slice(0, m.index);
    const after = text.slice((m.index ?? 0) + m[0].length);
    const key = /([A-Za-z_]+):\s*"?$/.exec(before)?.[1];
    const wholeValue = /^"?\s*($|[,}#\n])/.test(after);
    if (key && wholeValue && HTTP_KEYS.test(key)) env[name] = "http://127.0.0.1:9/v1";
    else if (key && wholeValue && /(^|_)url$/.test(key)) env[name] = "ws://127.0.0.1:9/ws";
    else env[name] ??= "example";
  }
  return env;
}

/** Sets `value` at a path like `agent.voice` or `scenarios[0].assertions`. */
function setAt(tree: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
  let node: Record<string, unknown> = tree;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== "object" || next === null) throw new Error(`fragment path ${path}: no ${key}`);
    node = next as Record<string, unknown>;
  });
}

/** The suite text a block stands for: itself, or a fragment placed inside the minimal suite. */
export function suiteTextOf(text: string, fragmentPath: string | undefined): string {
  if (fragmentPath === undefined) return text;
  const suite = minimalSuite();
  setAt(suite, fragmentPath, parseYaml(text));
  return stringifyYaml(suite);
}

/** Loads the example or throws one message with every error the loader gave. */
export function loadYamlExample(where: string, text: string, fragmentPath?: string): Suite {
  try {
    return parseSuiteText(where, suiteTextOf(text, fragmentPath), dummyEnv(text));
  } catch (e) {
    if (e instanceof UsageError) throw new Error([e.message, ...e.details].join("\n  "));
    throw e;
  }
}
