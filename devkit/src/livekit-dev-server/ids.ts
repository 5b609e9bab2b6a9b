import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * LiveKit ids are a type prefix plus 12 base62 characters. The prefixes matter: rtc-node drops
 * tracks whose sid does not start with `TR_`, and expects `PA_`/`RM_` for participants/rooms.
 */
export function newId(prefix: "RM_" | "PA_" | "TR_" | "SR_"): string {
  const bytes = randomBytes(12);
  let out = prefix;
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}
