/**
 * The key that encrypts secrets at rest (`SPAR_SECRET_KEY`): base64 of exactly 32 bytes, the
 * AES-256 key size. Parsing errors name where the value came from and how to make a good one.
 */
import { AppError } from "@spar/protocol";
import { base64ToBytes, bytesToBase64 } from "./base64.ts";
import { cryptoRandomFill, type RandomFill, randomBytes } from "./random-token.ts";

export const SECRET_KEY_BYTES = 32;

/** The 32 key bytes; `source` names the variable or file in the error (surrounding whitespace is ignored). */
export function parseSecretKey(value: string, source = "SPAR_SECRET_KEY"): Uint8Array {
  const text = value.trim();
  const bytes = base64ToBytes(text);
  const got =
    text === ""
      ? "got an empty value"
      : bytes === undefined
        ? "got text that is not base64"
        : `got ${bytes.length} bytes`;
  if (bytes === undefined || bytes.length !== SECRET_KEY_BYTES) {
    throw new AppError(
      "config_invalid",
      `${source}: must be base64 of exactly ${SECRET_KEY_BYTES} bytes (${got}); make one with: openssl rand -base64 32`,
    );
  }
  return bytes;
}

export function generateSecretKey(fill: RandomFill = cryptoRandomFill): string {
  return bytesToBase64(randomBytes(SECRET_KEY_BYTES, fill));
}

/**
 * A stable id for a key, derived from it so no one has to name keys: `k` + 8 hex digits of
 * SHA-256 over a label and the key. 32 bits of a hash reveal nothing usable about a 256-bit key.
 */
export async function secretKeyId(key: Uint8Array): Promise<string> {
  const label = new TextEncoder().encode("spar secret key id\0");
  const input = new Uint8Array(label.length + key.length);
  input.set(label);
  input.set(key, label.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return `k${[...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
