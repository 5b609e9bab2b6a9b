/**
 * Subset matching for `function_called.arguments` and `metadata` assertions: every key the
 * suite gives must be present and match (recursively); extra keys in the actual value are fine.
 * Arrays match element by element and must have the same length; scalars must be equal.
 */

/** The first mismatch as `path: expected X, found Y`, or undefined when `expected` is a subset of `actual`. */
export function subsetMismatch(expected: unknown, actual: unknown, path = ""): string | undefined {
  if (isRecord(expected)) {
    if (!isRecord(actual)) return `${path || "(value)"}: expected an object, found ${show(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const at = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(actual, key)) return `${at}: expected ${show(value)}, found nothing`;
      const inner = subsetMismatch(value, actual[key], at);
      if (inner) return inner;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${path || "(value)"}: expected ${show(expected)}, found ${show(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const inner = subsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  return Object.is(expected, actual) || expected === actual
    ? undefined
    : `${path || "(value)"}: expected ${show(expected)}, found ${show(actual)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
