/**
 * zod issues as suite errors a person can act on: a value that matches no form of a union says
 * which key is unknown and lists the valid ones, and a known key with a bad value points at that
 * value instead of at the whole union.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/**
 * For a union of one-key objects (assertions): why `input` is none of them. `kinds` are the keys,
 * in the union's order.
 */
export function oneKeyUnionMessage(input: unknown, kinds: readonly string[], noun: string): string {
  const list = kinds.join(", ");
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return `an ${noun} is one \`kind: value\` pair, e.g. ${kinds[0]}: …; valid kinds: ${list}`;
  }
  const keys = Object.keys(input);
  if (keys.length === 0) return `empty ${noun}; give one of: ${list}`;
  const unknown = keys.find((k) => !kinds.includes(k));
  if (unknown !== undefined) return `unknown ${noun} "${unknown}"; valid kinds: ${list}`;
  if (keys.length > 1)
    return `an ${noun} has one kind, got ${keys.join(" and ")}; give each its own list item`;
  return `invalid ${keys[0]} ${noun}; see docs/suite-file.md`;
}

/**
 * A union issue whose input has the keys of exactly one strict branch is really that branch's
 * issues (`ended_by: robot` → `…ended_by: must be one of agent, caller`): those are returned,
 * under the union's path. Any other issue is returned as it is.
 */
export function expandUnionIssue(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || !issue.errors?.length) return [issue];
  const fitting = issue.errors.filter(
    (branch) =>
      branch.length > 0 && !branch.some((i) => i.code === "unrecognized_keys" && i.path.length === 0),
  );
  const [only] = fitting;
  if (fitting.length !== 1 || !only) return [issue];
  return only.flatMap((inner) => expandUnionIssue({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** One issue's message, in the suite's words. */
export function issueMessage(issue: Issue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")} (check the spelling)`;
  }
  if (issue.code === "invalid_value" && issue.values.length > 0) {
    const values = issue.values.map(String);
    return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(", ")}`;
  }
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return `is required (${issue.expected})`;
  }
  if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) === 1) {
    return "must not be empty";
  }
  // zod's own text for a union nothing customised says nothing about the suite.
  if (issue.code === "invalid_union" && issue.message === "Invalid input") {
    return "matches none of the accepted forms; see docs/suite-file.md";
  }
  return issue.message;
}

/** Every issue as a `path: message` line a person can act on, at most `max`. */
export function issueLines(issues: readonly Issue[], max = 50): string[] {
  return issues
    .flatMap(expandUnionIssue)
    .slice(0, max)
    .map((issue) => `${formatIssuePath(issue.path)}: ${issueMessage(issue)}`);
}

/** `scenarios[2].script[1].expect` from a zod path; `(root)` for the whole value. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}
