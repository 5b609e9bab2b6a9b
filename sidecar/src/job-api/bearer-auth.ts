import { createHash, timingSafeEqual } from "node:crypto";

/**
 * True when the `Authorization` header carries exactly `Bearer <expected>`. Both sides are
 * hashed first so the comparison takes the same time whatever the length or content of the
 * guess (timingSafeEqual alone would leak the token's length).
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header ?? "");
  const given = match?.[1] ?? "";
  const equal = timingSafeEqual(digest(given), digest(expected));
  return match !== null && equal;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
