import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time secret check. Hashing first gives both sides the same length, so neither the
 * comparison time nor an early length mismatch tells a caller how close its guess was.
 */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
