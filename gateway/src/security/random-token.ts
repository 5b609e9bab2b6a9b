/** Random identifiers from the platform CSPRNG (WebCrypto), injectable for exact tests. */

/** Fills the array with random bytes; `crypto.getRandomValues` in production. */
export type RandomFill = (bytes: Uint8Array) => void;

export const cryptoRandomFill: RandomFill = (bytes) => {
  crypto.getRandomValues(bytes);
};

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 248 = 4 × 62: bytes at or above it are redrawn so every character is equally likely. */
const UNBIASED_LIMIT = 248;

/** `length` base62 characters, each carrying log2(62) ≈ 5.95 bits. */
export function randomBase62(length: number, fill: RandomFill = cryptoRandomFill): string {
  let out = "";
  const buffer = new Uint8Array(Math.max(16, length * 2));
  while (out.length < length) {
    fill(buffer);
    for (const byte of buffer) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function randomBytes(length: number, fill: RandomFill = cryptoRandomFill): Uint8Array {
  const bytes = new Uint8Array(length);
  fill(bytes);
  return bytes;
}
