/**
 * Secrets at rest: AES-256-GCM through WebCrypto, so the same code runs on Node and Workers.
 *
 * A sealed secret is one string, `v1:<keyId>:<base64 iv>:<base64 ciphertext+tag>`, not a
 * `{keyId, ciphertext}` pair: it fits one TEXT column, carries its format version and key id
 * with it (a rotation finds what to re-seal by reading the column alone), and cannot be split
 * from its key id by a schema change. The version and key id are authenticated as associated
 * data, and an optional `context` (e.g. "agent:12:text.secret") binds a ciphertext to the row
 * and field it belongs to, so a sealed value copied elsewhere does not open.
 */
import { AppError } from "@spar/protocol";
import { base64ToBytes, bytesToBase64 } from "./base64.ts";
import { cryptoRandomFill, type RandomFill, randomBytes } from "./random-token.ts";
import { parseSecretKey, secretKeyId } from "./secret-key.ts";

const VERSION = "v1";
/** 96-bit random IVs, the size GCM is designed for; 2^32 seals per key stay far below collision risk. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** WebCrypto's key type, named through `crypto` because the DOM lib (home of `CryptoKey`) is not loaded. */
type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export type SecretBoxFailure = "malformed" | "unknown_key" | "auth_failed";

/** Opening failed; the message never contains plaintext or key material. */
export class SecretBoxError extends AppError {
  readonly reason: SecretBoxFailure;
  constructor(reason: SecretBoxFailure, message: string, options?: { cause?: unknown }) {
    super("internal", message, options);
    this.name = "SecretBoxError";
    this.reason = reason;
  }
}

export interface SecretBoxOptions {
  /** Key id → base64 of 32 bytes. Ids are permanent: every sealed value names one. */
  keys: ReadonlyMap<string, string>;
  /** The key new secrets are sealed with; the others only open. */
  currentKeyId: string;
  randomFill?: RandomFill;
}

export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: string, context?: string): Promise<string>;
  open(sealed: string, context?: string): Promise<string>;
  /** The key id a sealed value names (undefined when malformed): a rotation re-seals those not current. */
  keyIdOf(sealed: string): string | undefined;
}

function associatedData(keyId: string, context: string | undefined): Uint8Array {
  return new TextEncoder().encode(`${VERSION}:${keyId}:${context ?? ""}`);
}

interface Parsed {
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

function parseSealed(sealed: string): Parsed | string {
  const parts = sealed.split(":");
  if (parts.length !== 4 || parts[0] !== VERSION) return `not a ${VERSION}:<keyId>:<iv>:<ciphertext> value`;
  const [, keyId = "", ivText = "", ciphertextText = ""] = parts;
  if (!KEY_ID.test(keyId)) return "the key id is not valid";
  const iv = base64ToBytes(ivText);
  if (iv === undefined || iv.length !== IV_BYTES) return `the IV is not base64 of ${IV_BYTES} bytes`;
  const ciphertext = base64ToBytes(ciphertextText);
  if (ciphertext === undefined || ciphertext.length < TAG_BYTES) {
    return "the ciphertext is not base64 of at least the 16-byte tag";
  }
  return { keyId, iv, ciphertext };
}

export async function createSecretBox(options: SecretBoxOptions): Promise<SecretBox> {
  const { currentKeyId } = options;
  const fill = options.randomFill ?? cryptoRandomFill;
  const keys = new Map<string, AesKey>();
  for (const [keyId, base64] of options.keys) {
    if (!KEY_ID.test(keyId)) {
      throw new AppError(
        "config_invalid",
        `secret key id ${JSON.stringify(keyId)}: must be 1-64 of A-Z a-z 0-9 _ -`,
      );
    }
    const raw = parseSecretKey(base64, `secret key ${keyId}`);
    keys.set(keyId, await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
  }
  const current = keys.get(currentKeyId);
  if (!current) {
    throw new AppError(
      "config_invalid",
      `secret key ${currentKeyId}: the current key id is not among the keys`,
    );
  }

  return {
    currentKeyId,
    async seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES, fill);
      const data = new TextEncoder().encode(plaintext);
      const additionalData = associatedData(currentKeyId, context);
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, current, data);
      return `${VERSION}:${currentKeyId}:${bytesToBase64(iv)}:${bytesToBase64(new Uint8Array(sealed))}`;
    },
    async open(sealed, context) {
      const parsed = parseSealed(sealed);
      if (typeof parsed === "string") throw new SecretBoxError("malformed", `sealed secret: ${parsed}`);
      const key = keys.get(parsed.keyId);
      if (!key) {
        throw new SecretBoxError(
          "unknown_key",
          `sealed secret: key id ${parsed.keyId} is not configured (was SPAR_SECRET_KEY changed without keeping the old key?)`,
        );
      }
      const additionalData = associatedData(parsed.keyId, context);
      let plain: ArrayBuffer;
      try {
        plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: parsed.iv, additionalData },
          key,
          parsed.ciphertext,
        );
      } catch (cause) {
        throw new SecretBoxError(
          "auth_failed",
          `sealed secret: authentication failed under key id ${parsed.keyId} (altered, another key, or another context)`,
          { cause },
        );
      }
      // GCM authenticated the bytes, so they are the UTF-8 that seal encoded.
      return new TextDecoder().decode(plain);
    },
    keyIdOf(sealed) {
      const parsed = parseSealed(sealed);
      return typeof parsed === "string" ? undefined : parsed.keyId;
    },
  };
}

/**
 * A box from keys alone, ids derived from the keys (`secretKeyId`): `current` seals, `previous`
 * keys still open what they sealed until a rotation has re-sealed it. `source` names where the
 * keys came from in errors.
 */
export async function createSecretBoxFromKeys(
  current: string,
  previous: readonly string[] = [],
  options: { source?: string; randomFill?: RandomFill } = {},
): Promise<SecretBox> {
  const source = options.source ?? "SPAR_SECRET_KEY";
  const keys = new Map<string, string>();
  const currentKeyId = await secretKeyId(parseSecretKey(current, source));
  keys.set(currentKeyId, current.trim());
  for (const [i, key] of previous.entries()) {
    keys.set(await secretKeyId(parseSecretKey(key, `${source} (previous key ${i + 1})`)), key.trim());
  }
  return createSecretBox({
    keys,
    currentKeyId,
    ...(options.randomFill ? { randomFill: options.randomFill } : {}),
  });
}
