import { describe, expect, it } from "vitest";
import { bytesToBase64 } from "./base64.ts";
import { createSecretBox, createSecretBoxFromKeys, type SecretBox, SecretBoxError } from "./secret-box.ts";

const KEY_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // bytes 0..31
const KEY_B = bytesToBase64(Uint8Array.from({ length: 32 }, (_, i) => 255 - i));
/** IV bytes 100..111, so a seal can be compared with a value computed elsewhere. */
const fixedIv = (bytes: Uint8Array) =>
  bytes.set(Uint8Array.from({ length: bytes.length }, (_, i) => 100 + i));

// Computed independently with Python `cryptography` AESGCM(KEY_A).encrypt(iv, plaintext, aad).
const SEALED_HUNTER2 = "v1:k1:ZGVmZ2hpamtsbW5v:IG6wEhybZL7c/synkTI/5D8YhBjBKN6RD9Ls"; // "hunter2 ✓", aad "v1:k1:"
const SEALED_WITH_CONTEXT = "v1:k1:ZGVmZ2hpamtsbW5v:O8wDhdhw83vLZTQJ3iVbygA="; // "s", aad "v1:k1:agent:12:text.secret"

async function failureOf(box: SecretBox, sealed: string, context?: string): Promise<SecretBoxError> {
  try {
    await box.open(sealed, context);
  } catch (error) {
    if (error instanceof SecretBoxError) return error;
    throw error;
  }
  throw new Error("expected open to fail");
}

describe("createSecretBox", () => {
  it("seals to the format v1:<keyId>:<iv>:<ciphertext+tag> that another AES-GCM implementation agrees with", async () => {
    const box = await createSecretBox({
      keys: new Map([["k1", KEY_A]]),
      currentKeyId: "k1",
      randomFill: fixedIv,
    });
    expect(await box.seal("hunter2 ✓")).toBe(SEALED_HUNTER2);
    expect(await box.seal("s", "agent:12:text.secret")).toBe(SEALED_WITH_CONTEXT);
    expect(await box.open(SEALED_HUNTER2)).toBe("hunter2 ✓");
    expect(await box.open(SEALED_WITH_CONTEXT, "agent:12:text.secret")).toBe("s");
  });

  it("uses a fresh random IV for every seal", async () => {
    const box = await createSecretBox({ keys: new Map([["k1", KEY_A]]), currentKeyId: "k1" });
    const [one, two] = [await box.seal("same"), await box.seal("same")];
    expect(one).not.toBe(two);
    expect(one.split(":")[2]).not.toBe(two.split(":")[2]);
    expect(await box.open(two)).toBe("same");
  });

  it("refuses a tampered ciphertext with auth_failed, never garbage", async () => {
    const box = await createSecretBox({ keys: new Map([["k1", KEY_A]]), currentKeyId: "k1" });
    const [head, ciphertext] = [SEALED_HUNTER2.slice(0, 23), SEALED_HUNTER2.slice(23)];
    const flipped = `${head}${ciphertext[0] === "I" ? "J" : "I"}${ciphertext.slice(1)}`;
    const error = await failureOf(box, flipped);
    expect(error.reason).toBe("auth_failed");
    expect(error.code).toBe("internal");
    expect(error.message).toBe(
      "sealed secret: authentication failed under key id k1 (altered, another key, or another context)",
    );
    const tamperedIv = SEALED_HUNTER2.replace("ZGVmZ2hp", "ZGVmZ2hq");
    expect((await failureOf(box, tamperedIv)).reason).toBe("auth_failed");
  });

  it("refuses a value opened under another context", async () => {
    const box = await createSecretBox({ keys: new Map([["k1", KEY_A]]), currentKeyId: "k1" });
    expect((await failureOf(box, SEALED_WITH_CONTEXT, "agent:13:text.secret")).reason).toBe("auth_failed");
    expect((await failureOf(box, SEALED_WITH_CONTEXT)).reason).toBe("auth_failed");
  });

  it("refuses a key id that is not configured, and a relabelled key id", async () => {
    const box = await createSecretBox({
      keys: new Map([
        ["k1", KEY_A],
        ["k2", KEY_B],
      ]),
      currentKeyId: "k1",
    });
    const unknown = await failureOf(box, SEALED_HUNTER2.replace("v1:k1:", "v1:k9:"));
    expect(unknown.reason).toBe("unknown_key");
    expect(unknown.message).toBe(
      "sealed secret: key id k9 is not configured (was SPAR_SECRET_KEY changed without keeping the old key?)",
    );
    // The key id is authenticated: pointing the value at another configured key does not decrypt.
    expect((await failureOf(box, SEALED_HUNTER2.replace("v1:k1:", "v1:k2:"))).reason).toBe("auth_failed");
  });

  it("refuses a value sealed under the same id with a different key", async () => {
    const other = await createSecretBox({ keys: new Map([["k1", KEY_B]]), currentKeyId: "k1" });
    expect((await failureOf(other, SEALED_HUNTER2)).reason).toBe("auth_failed");
  });

  it("reports malformed values by what is wrong", async () => {
    const box = await createSecretBox({ keys: new Map([["k1", KEY_A]]), currentKeyId: "k1" });
    const cases: Array<[string, string]> = [
      ["hunter2", "sealed secret: not a v1:<keyId>:<iv>:<ciphertext> value"],
      [SEALED_HUNTER2.replace("v1:", "v2:"), "sealed secret: not a v1:<keyId>:<iv>:<ciphertext> value"],
      ["v1:k 1:ZGVmZ2hpamtsbW5v:AAAAAAAAAAAAAAAAAAAAAA==", "sealed secret: the key id is not valid"],
      ["v1:k1:ZGVm:AAAAAAAAAAAAAAAAAAAAAA==", "sealed secret: the IV is not base64 of 12 bytes"],
      [
        "v1:k1:ZGVmZ2hpamtsbW5v:AAAA",
        "sealed secret: the ciphertext is not base64 of at least the 16-byte tag",
      ],
      ["v1:k1:ZGVmZ2hpamtsbW5v:*", "sealed secret: the ciphertext is not base64 of at least the 16-byte tag"],
    ];
    for (const [sealed, message] of cases) {
      const error = await failureOf(box, sealed);
      expect([error.reason, error.message]).toEqual(["malformed", message]);
    }
  });

  it("opens values sealed under an older key after rotation and seals new ones under the current key", async () => {
    const before = await createSecretBox({ keys: new Map([["k1", KEY_A]]), currentKeyId: "k1" });
    const old = await before.seal("livekit-secret", "workspace:1:livekit");
    const after = await createSecretBox({
      keys: new Map([
        ["k1", KEY_A],
        ["k2", KEY_B],
      ]),
      currentKeyId: "k2",
    });
    expect(await after.open(old, "workspace:1:livekit")).toBe("livekit-secret");
    expect(after.keyIdOf(old)).toBe("k1");
    const resealed = await after.seal(await after.open(old, "workspace:1:livekit"), "workspace:1:livekit");
    expect(after.keyIdOf(resealed)).toBe("k2");
    expect(after.keyIdOf("garbage")).toBeUndefined();
    expect((await failureOf(before, resealed, "workspace:1:livekit")).reason).toBe("unknown_key");
  });

  it("refuses a bad key, a bad key id and a current key id that is not among the keys", async () => {
    await expect(
      createSecretBox({ keys: new Map([["k1", "c2hvcnQ="]]), currentKeyId: "k1" }),
    ).rejects.toThrow(
      "secret key k1: must be base64 of exactly 32 bytes (got 5 bytes); make one with: openssl rand -base64 32",
    );
    await expect(createSecretBox({ keys: new Map([["k:1", KEY_A]]), currentKeyId: "k:1" })).rejects.toThrow(
      'secret key id "k:1": must be 1-64 of A-Z a-z 0-9 _ -',
    );
    await expect(createSecretBox({ keys: new Map([["k1", KEY_A]]), currentKeyId: "k2" })).rejects.toThrow(
      "secret key k2: the current key id is not among the keys",
    );
  });
});

describe("createSecretBoxFromKeys", () => {
  it("names keys by their derived ids and opens values of previous keys", async () => {
    const first = await createSecretBoxFromKeys(KEY_A);
    expect(first.currentKeyId).toBe("k4d998c42");
    const sealed = await first.seal("llm-key");
    expect(sealed.startsWith("v1:k4d998c42:")).toBe(true);
    const rotated = await createSecretBoxFromKeys(KEY_B, [KEY_A]);
    expect(rotated.currentKeyId).not.toBe("k4d998c42");
    expect(await rotated.open(sealed)).toBe("llm-key");
  });

  it("names the variable and the previous key that is invalid", async () => {
    await expect(createSecretBoxFromKeys(KEY_B, ["c2hvcnQ="])).rejects.toThrow(
      "SPAR_SECRET_KEY (previous key 1): must be base64 of exactly 32 bytes (got 5 bytes); make one with: openssl rand -base64 32",
    );
  });
});
