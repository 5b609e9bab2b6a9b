/**
 * Which WebSocket close codes end a conversation normally (text-protocol.md § Frames: agent →
 * platform). An agent that hangs up says so with 1000/1001, no code (1005), or an application
 * code 4000–4999; every other code reports a fault (1011 internal error, 1002 protocol error,
 * 1012 restart, …) and must never read as a clean end of the call.
 */

/** RFC 6455 § 7.4.1 / IANA names, for details a person reads. */
const CLOSE_CODE_NAMES: Readonly<Record<number, string>> = {
  1000: "normal closure",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1005: "no status code",
  1006: "abnormal closure",
  1007: "invalid payload data",
  1008: "policy violation",
  1009: "message too big",
  1010: "mandatory extension",
  1011: "internal error",
  1012: "service restart",
  1013: "try again later",
  1014: "bad gateway",
  1015: "TLS handshake failure",
};

export function isNormalCloseCode(code: number): boolean {
  return code === 1000 || code === 1001 || code === 1005 || (code >= 4000 && code <= 4999);
}

/** `1011 internal error "db down"`: the code, its name when it has one, and the reason. */
export function describeClose(code: number, reason: string): string {
  const name = CLOSE_CODE_NAMES[code];
  const why = reason === "" ? "" : ` "${reason.slice(0, 200)}"`;
  return `${code}${name === undefined ? "" : ` ${name}`}${why}`;
}
