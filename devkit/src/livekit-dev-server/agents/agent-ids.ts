import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** livekit-server's prefixes: AW_ worker, AJ_ job, AD_ dispatch; then 12 base62 characters. */
export function agentId(prefix: "AW_" | "AJ_" | "AD_"): string {
  let out = prefix;
  for (const b of randomBytes(12)) out += ALPHABET[b % ALPHABET.length];
  return out;
}
