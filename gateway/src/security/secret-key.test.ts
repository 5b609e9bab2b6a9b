import { AppError } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { generateSecretKey, parseSecretKey, secretKeyId } from "./secret-key.ts";

const KEY_0_31 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("parseSecretKey", () => {
  it("returns the 32 bytes of a padded or unpadded key, ignoring surrounding whitespace", () => {
    const expected = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(parseSecretKey(KEY_0_31)).toEqual(expected);
    expect(parseSecretKey(`  ${KEY_0_31.slice(0, -1)}\n`)).toEqual(expected);
  });

  it("names the variable and the rule when the key has the wrong length", () => {
    const error = errorOf(() => parseSecretKey("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
    expect(error.code).toBe("config_invalid");
    expect(error.message).toBe(
      "SPAR_SECRET_KEY: must be base64 of exactly 32 bytes (got 31 bytes); make one with: openssl rand -base64 32",
    );
  });

  it("names the source it was given for text that is not base64 and for an empty value", () => {
    expect(errorOf(() => parseSecretKey("not base64!", "/data/secret.key")).message).toBe(
      "/data/secret.key: must be base64 of exactly 32 bytes (got text that is not base64); make one with: openssl rand -base64 32",
    );
    expect(errorOf(() => parseSecretKey(" ")).message).toBe(
      "SPAR_SECRET_KEY: must be base64 of exactly 32 bytes (got an empty value); make one with: openssl rand -base64 32",
    );
  });
});

describe("generateSecretKey", () => {
  it("encodes 32 bytes from the random source", () => {
    const key = generateSecretKey((bytes) => bytes.set(Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(key).toBe(KEY_0_31);
    expect(parseSecretKey(generateSecretKey()).length).toBe(32);
  });
});

describe("secretKeyId", () => {
  it("derives k + 8 hex digits of SHA-256 over a label and the key", async () => {
    expect(await secretKeyId(parseSecretKey(KEY_0_31))).toBe("k4d998c42");
  });
});
