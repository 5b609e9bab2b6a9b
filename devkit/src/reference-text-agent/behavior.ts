/**
 * Switchable misbehaviours, for tests of the platform's failure paths. A connection picks them
 * with the `X-Spar-Behavior` header (scenario metadata `X-*` fields arrive as headers) and/or
 * the `?behavior=` query, comma-separated: `slow:500,two_replies`.
 *
 * The `*_after:<n>` switches count the agent's turns (greeting, replies, final words): once
 * n have been sent, the next caller message is answered by the misbehaviour instead.
 */

export interface Behavior {
  /** `slow:<ms>`: wait this long before each turn. */
  delayMs: number;
  /** `silent`: never answer a caller message. */
  silent: boolean;
  /** `drop_after:<n>`: destroy the TCP socket without a close frame (the platform sees 1006). */
  dropAfter?: number;
  /** `close_after:<n>`: close the socket with `closeCode`. */
  closeAfter?: number;
  /** `close_code:<code>`: the code `close_after` closes with (default 1000; 1005 sends no code). */
  closeCode: number;
  /** `end_after:<n>`: send `end_call` with final words, then close 1000. */
  endAfter?: number;
  /** `garbage`: replies are not JSON. */
  garbage: boolean;
  /** `bad_content`: replies carry a number as `content`. */
  badContent: boolean;
  /** `unknown_type`: replies carry a `type` the protocol does not know. */
  unknownType: boolean;
  /** `oversize`: replies are over the 256 KiB frame limit. */
  oversize: boolean;
  /** `two_replies`: two content frames per caller message. */
  twoReplies: boolean;
  /** `greet`: speak first, on connect. */
  greet: boolean;
  /** `functions_only`: stream function frames, never the reply (the platform's turn timer runs out). */
  functionsOnly: boolean;
  /** `http_error:<status>`: refuse the upgrade with this HTTP status. */
  httpError?: number;
}

export type BehaviorParse = { ok: true; behavior: Behavior } | { ok: false; error: string };

type Flag =
  | "silent"
  | "garbage"
  | "badContent"
  | "unknownType"
  | "oversize"
  | "twoReplies"
  | "greet"
  | "functionsOnly";
const FLAGS = new Map<string, Flag>([
  ["silent", "silent"],
  ["garbage", "garbage"],
  ["bad_content", "badContent"],
  ["unknown_type", "unknownType"],
  ["oversize", "oversize"],
  ["two_replies", "twoReplies"],
  ["greet", "greet"],
  ["functions_only", "functionsOnly"],
]);
const COUNTS = new Map<string, "dropAfter" | "closeAfter" | "endAfter">([
  ["drop_after", "dropAfter"],
  ["close_after", "closeAfter"],
  ["end_after", "endAfter"],
]);

export function defaultBehavior(): Behavior {
  return {
    delayMs: 0,
    closeCode: 1000,
    silent: false,
    garbage: false,
    badContent: false,
    unknownType: false,
    oversize: false,
    twoReplies: false,
    greet: false,
    functionsOnly: false,
  };
}

/** Parses a behaviour list; an empty list is the well-behaved agent. */
export function parseBehavior(list: string): BehaviorParse {
  const behavior = defaultBehavior();
  const seen = new Set<string>();
  for (const item of list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")) {
    const [name = "", arg, ...rest] = item.split(":");
    if (seen.has(name)) return { ok: false, error: `behavior "${name}" is given twice` };
    seen.add(name);
    const flag = FLAGS.get(name);
    if (flag !== undefined) {
      if (arg !== undefined) return { ok: false, error: `behavior "${name}" takes no argument` };
      behavior[flag] = true;
      continue;
    }
    const count = COUNTS.get(name);
    const n = arg !== undefined && rest.length === 0 && /^\d{1,7}$/.test(arg) ? Number(arg) : undefined;
    if (name === "slow") {
      if (n === undefined) return { ok: false, error: `"slow" needs milliseconds, e.g. slow:500` };
      behavior.delayMs = n;
    } else if (count !== undefined) {
      if (n === undefined) return { ok: false, error: `"${name}" needs a count, e.g. ${name}:1` };
      behavior[count] = n;
    } else if (name === "close_code") {
      if (n === undefined || !sendableCloseCode(n)) {
        return {
          ok: false,
          error: `"close_code" needs 1000-1003, 1005, 1007-1014 or 3000-4999, e.g. close_code:1011`,
        };
      }
      behavior.closeCode = n;
    } else if (name === "http_error") {
      if (n === undefined || n < 400 || n > 599) {
        return { ok: false, error: `"http_error" needs a status from 400 to 599, e.g. http_error:503` };
      }
      behavior.httpError = n;
    } else {
      return { ok: false, error: `unknown behavior "${name.slice(0, 40)}"` };
    }
  }
  return { ok: true, behavior };
}

/** Codes a WebSocket endpoint may put in a close frame (RFC 6455 § 7.4), plus 1005 for "no code". */
function sendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1005 && code !== 1006 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}
