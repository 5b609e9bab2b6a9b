import { describe, expect, it } from "vitest";
import {
  apiKeyPrefix,
  generateApiKey,
  generateWebhookSecret,
  hashApiKey,
  parseApiKey,
  presentedApiKey,
  verifyApiKey,
} from "./api-key.ts";
import type { RandomFill } from "./random-token.ts";

/** Bytes 0, 1, 2, … across calls, so generated keys are exact. */
function countingFill(): RandomFill {
  let next = 0;
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = next++ % 256;
  };
}

const KEY = "spar_01234567_GHIJKLMNOPQRSTUVWXYZabcdefghijkl";
const KEY_HASH = "2f7dc6576acc4192b1948c4b983c417cd8da986f068d87ac9f5c6b2e2a21ffb6"; // Python hashlib.sha256
const OTHER = "spar_AbCd1234_0123456789abcdefghijABCDEFGHIJ012345";

describe("generateApiKey", () => {
  it("builds spar_<8 base62>_<32 base62> with its prefix and SHA-256 hex", async () => {
    expect(await generateApiKey(countingFill())).toEqual({
      key: KEY,
      prefix: "spar_01234567",
      hash: KEY_HASH,
    });
  });

  it("draws different keys from the platform random source, each starting with its prefix", async () => {
    const [a, b] = [await generateApiKey(), await generateApiKey()];
    expect(a.key).not.toBe(b.key);
    expect(a.key.startsWith(`${a.prefix}_`)).toBe(true);
    expect(a.key).toMatch(/^spar_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
  });
});

describe("hashApiKey and verifyApiKey", () => {
  it("hashes to lowercase hex SHA-256 and verifies only the same key", async () => {
    expect(await hashApiKey(KEY)).toBe(KEY_HASH);
    expect(await verifyApiKey(KEY, KEY_HASH)).toBe(true);
    expect(await verifyApiKey(OTHER, KEY_HASH)).toBe(false);
    expect(await verifyApiKey(KEY, KEY_HASH.toUpperCase())).toBe(false);
  });
});

describe("parseApiKey and apiKeyPrefix", () => {
  it("accepts the key format only", () => {
    expect(parseApiKey(` ${KEY} `)).toBe(KEY);
    expect(apiKeyPrefix(KEY)).toBe("spar_01234567");
    for (const bad of [
      null,
      undefined,
      "",
      KEY.slice(0, -1),
      `${KEY}x`,
      KEY.replace("spar_", "sk_"),
      KEY.replace("_G", "-G"),
      "spar_0123456_7GHIJKLMNOPQRSTUVWXYZabcdefghijkl",
      `${KEY.slice(0, -1)}!`,
    ]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
    expect(apiKeyPrefix("spar_short")).toBeUndefined();
  });
});

describe("presentedApiKey", () => {
  it("reads X-API-Key or Authorization: Bearer", () => {
    expect(presentedApiKey(new Headers({ "X-API-Key": KEY }))).toBe(KEY);
    expect(presentedApiKey(new Headers({ Authorization: `Bearer ${KEY}` }))).toBe(KEY);
    expect(presentedApiKey(new Headers({ authorization: `bearer   ${KEY} ` }))).toBe(KEY);
    expect(presentedApiKey(new Headers({ "X-API-Key": KEY, Authorization: `Bearer ${KEY}` }))).toBe(KEY);
  });

  it("returns undefined for missing, malformed or disagreeing keys", () => {
    expect(presentedApiKey(new Headers())).toBeUndefined();
    expect(presentedApiKey(new Headers({ "X-API-Key": "nope" }))).toBeUndefined();
    expect(presentedApiKey(new Headers({ Authorization: "Bearer" }))).toBeUndefined();
    expect(presentedApiKey(new Headers({ Authorization: `Bearer ${KEY} extra` }))).toBeUndefined();
    expect(presentedApiKey(new Headers({ Authorization: `Token ${KEY}` }))).toBeUndefined();
    expect(
      presentedApiKey(new Headers({ "X-API-Key": KEY, Authorization: `Bearer ${OTHER}` })),
    ).toBeUndefined();
    expect(presentedApiKey(new Headers({ "X-API-Key": KEY, Authorization: "Bearer nope" }))).toBeUndefined();
  });

  it("ignores Authorization with another scheme beside X-API-Key", () => {
    expect(presentedApiKey(new Headers({ "X-API-Key": KEY, Authorization: "Basic dTpw" }))).toBe(KEY);
  });

  it("reads the extra headers a vendor-compatible route names", () => {
    const headers = new Headers({ "X-CEKURA-API-KEY": KEY });
    expect(presentedApiKey(headers)).toBeUndefined();
    expect(presentedApiKey(headers, { extraHeaders: ["X-CEKURA-API-KEY"] })).toBe(KEY);
  });
});

describe("generateWebhookSecret", () => {
  it("builds whsec_<32 base62>", () => {
    expect(generateWebhookSecret(countingFill())).toBe("whsec_0123456789ABCDEFGHIJKLMNOPQRSTUV");
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
  });
});
