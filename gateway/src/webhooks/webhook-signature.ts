/**
 * `Spar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 * (spec/gateway-api.md § Webhooks). WebCrypto only, so the same code signs on Node and Workers
 * and verifies in users' receivers.
 */

export const SIGNATURE_HEADER = "Spar-Signature";
export const EVENT_ID_HEADER = "Spar-Event-Id";

/** Why a signature was refused; a receiver answers 400 either way, the reason is for its logs. */
export type SignatureRefusal = "malformed_header" | "timestamp_outside_tolerance" | "signature_mismatch";

export type SignatureCheck = { ok: true; timestampS: number } | { ok: false; reason: SignatureRefusal };

const encoder = new TextEncoder();

function bytesOf(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : body;
}

/** The MAC covers the timestamp so a captured delivery cannot be replayed later under a new `t`. */
async function mac(secret: string, timestampS: number, body: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const prefix = encoder.encode(`${timestampS}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix, 0);
  signed.set(body, prefix.length);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Strict lowercase-or-uppercase hex of exactly `length` bytes; anything else is not a candidate. */
function fromHex(hex: string, length: number): Uint8Array | undefined {
  if (hex.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Compares every byte whatever the first difference, so timing does not reveal the MAC. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** The `Spar-Signature` value for `body` (the exact bytes sent) at `nowS` (unix seconds). */
export async function signWebhook(secret: string, body: string | Uint8Array, nowS: number): Promise<string> {
  const t = Math.floor(nowS);
  return `t=${t},v1=${toHex(await mac(secret, t, bytesOf(body)))}`;
}

interface ParsedHeader {
  timestampS: number;
  signatures: string[];
}

function parseHeader(header: string): ParsedHeader | undefined {
  let timestampS: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestampS !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestampS = Number(value);
    } else if (key === "v1") {
      signatures.push(value);
    }
    // Other schemes (a future v2) are ignored so old receivers keep verifying v1.
  }
  if (timestampS === undefined || signatures.length === 0) return undefined;
  return { timestampS, signatures };
}

/**
 * Checks a `Spar-Signature` header against the raw request body (before any JSON parsing — a
 * re-serialized body does not verify). Several `v1=` entries are accepted, any one matching, so
 * a secret rotation can sign with both secrets for a while. `toleranceS` bounds replay: a
 * delivery whose `t` is further than that from `nowS` in either direction is refused.
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  nowS: number,
  toleranceS: number,
): Promise<SignatureCheck> {
  const parsed = header ? parseHeader(header) : undefined;
  if (parsed === undefined) return { ok: false, reason: "malformed_header" };
  if (Math.abs(Math.floor(nowS) - parsed.timestampS) > toleranceS) {
    return { ok: false, reason: "timestamp_outside_tolerance" };
  }
  const expected = await mac(secret, parsed.timestampS, bytesOf(body));
  let matched = false;
  for (const candidate of parsed.signatures) {
    const bytes = fromHex(candidate, expected.length);
    // No early exit: every candidate is compared, so the position of a match does not show in timing.
    if (bytes !== undefined && timingSafeEqual(bytes, expected)) matched = true;
  }
  return matched ? { ok: true, timestampS: parsed.timestampS } : { ok: false, reason: "signature_mismatch" };
}
