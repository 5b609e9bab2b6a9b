/**
 * API keys: `spar_<8 base62 id>_<32 base62 secret>`. The part before the secret is the key's
 * `prefix` (shown in listings, safe to log); the whole key is stored only as its SHA-256. A
 * fast hash is right here, unlike for passwords: the secret carries 32 × log2(62) ≈ 190 random
 * bits, so no dictionary or brute force gains anything from a slow hash, and every request
 * pays for the hash. Webhook secrets (`whsec_<32 base62>`) come from the same generator but are
 * sealed, not hashed, because signing needs them back.
 */
import { constantTimeEqual, sha256Hex } from "./constant-time.ts";
import { cryptoRandomFill, type RandomFill, randomBase62 } from "./random-token.ts";

const API_KEY = /^(spar_[A-Za-z0-9]{8})_[A-Za-z0-9]{32}$/;
const SECRET_CHARS = 32;

export interface NewApiKey {
  /** The full key, shown once. */
  key: string;
  /** `spar_<id>`: the key starts with it. */
  prefix: string;
  /** Hex SHA-256 of the key: what is stored. */
  hash: string;
}

export async function generateApiKey(fill: RandomFill = cryptoRandomFill): Promise<NewApiKey> {
  const prefix = `spar_${randomBase62(8, fill)}`;
  const key = `${prefix}_${randomBase62(SECRET_CHARS, fill)}`;
  return { key, prefix, hash: await hashApiKey(key) };
}

export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}

/** The presented key matches the stored hash (for lookups by prefix; a lookup by hash needs no compare). */
export async function verifyApiKey(presented: string, storedHash: string): Promise<boolean> {
  return constantTimeEqual(await hashApiKey(presented), storedHash);
}

/** The key when the value has the API key format, else undefined. */
export function parseApiKey(value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const key = value.trim();
  return API_KEY.test(key) ? key : undefined;
}

export function apiKeyPrefix(key: string): string | undefined {
  return API_KEY.exec(key)?.[1];
}

/** What `Headers` offers; a plain object adapter is enough in tests. */
export interface HeaderReader {
  get(name: string): string | null;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The API key a request presents in `X-API-Key`, `Authorization: Bearer`, or extra headers a
 * vendor-compatible route accepts. Undefined when none is present, one is malformed, or two
 * disagree: a request naming two identities is refused rather than guessed at. Authorization
 * with another scheme (e.g. Basic, for a proxy in front) is not a key and is ignored.
 */
export function presentedApiKey(
  headers: HeaderReader,
  options: { extraHeaders?: readonly string[] } = {},
): string | undefined {
  const values: string[] = [];
  for (const name of ["X-API-Key", ...(options.extraHeaders ?? [])]) {
    const value = headers.get(name);
    if (value !== null) values.push(value);
  }
  const authorization = headers.get("Authorization");
  if (authorization !== null && /^bearer\b/i.test(authorization.trim())) {
    const match = BEARER.exec(authorization.trim());
    if (!match) return undefined;
    values.push(match[1]!);
  }
  const keys = values.map(parseApiKey);
  const first = keys[0];
  if (first === undefined || keys.some((k) => k !== first)) return undefined;
  return first;
}

export function generateWebhookSecret(fill: RandomFill = cryptoRandomFill): string {
  return `whsec_${randomBase62(SECRET_CHARS, fill)}`;
}
