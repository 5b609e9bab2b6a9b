/**
 * Scenario metadata fields named `X-…` are forwarded to the agent as handshake headers
 * (docs/text-protocol.md § Forwarded metadata headers). These rules run when a scenario is saved or a
 * suite is loaded, so a bad header is a config error naming the field, never a failed run.
 */
import { MAX_FORWARDED_HEADER_VALUE_BYTES } from "./limits.ts";

/** RFC 9110 token characters. */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * What a header value may hold once CR/LF/NUL are ruled out: tab, visible ASCII and Latin-1.
 * Node's http (`ERR_INVALID_CHAR`) refuses other control characters, and fetch's `Headers`
 * refuses anything beyond U+00FF, so such a value would fail every run at connect time.
 */
const HEADER_VALUE_CHARS = /^[\t\x20-\x7e\x80-\xff]*$/;
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

export interface HeaderRuleViolation {
  /** The metadata field at fault. */
  field: string;
  /** What rule it broke and how to fix it. */
  message: string;
}

/** Whether a metadata field is meant as a forwarded header (`X-` prefix, any case). */
export function isForwardedField(name: string): boolean {
  return /^x-/i.test(name);
}

/** Checks every `X-*` field of `metadata`; an empty list means all can be forwarded. */
export function checkForwardedHeaders(metadata: Record<string, unknown>): HeaderRuleViolation[] {
  const out: HeaderRuleViolation[] = [];
  for (const [field, value] of Object.entries(metadata)) {
    if (!isForwardedField(field)) continue;
    if (!HEADER_TOKEN.test(field)) {
      out.push({
        field,
        message: "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
      });
    } else if (/^x-rubric-/i.test(field)) {
      out.push({
        field,
        message: "X-RUBRIC-* headers are set by the platform and cannot be overridden; rename it",
      });
    } else if (HOP_BY_HOP.has(field.toLowerCase())) {
      out.push({ field, message: "is a hop-by-hop header and cannot be forwarded" });
    } else if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      out.push({ field, message: "must be a string, number or boolean to be sent as a header" });
    } else {
      const text = String(value);
      if (/[\r\n\0]/.test(text)) {
        out.push({ field, message: "value contains CR, LF or NUL, which would split the header" });
      } else if (!HEADER_VALUE_CHARS.test(text)) {
        out.push({
          field,
          message:
            "value contains a control character or a character beyond U+00FF, which HTTP headers cannot carry",
        });
      } else if (new TextEncoder().encode(text).byteLength > MAX_FORWARDED_HEADER_VALUE_BYTES) {
        out.push({ field, message: `value is over ${MAX_FORWARDED_HEADER_VALUE_BYTES} bytes` });
      }
    }
  }
  return out;
}

/** The headers to send for `metadata` (call only after `checkForwardedHeaders` passed). */
export function forwardedHeaders(metadata: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(metadata)) {
    if (isForwardedField(field) && value !== null && typeof value !== "object") out[field] = String(value);
  }
  return out;
}

/** Identity headers sent on every X-RUBRIC connection. */
export interface RubricIdentity {
  secret: string;
  agentId: string;
  scenarioId: string;
  runId: string;
  batchId: string;
}

export function rubricHeaders(id: RubricIdentity): Record<string, string> {
  return {
    "X-RUBRIC-SECRET": id.secret,
    "X-RUBRIC-AGENT-ID": id.agentId,
    "X-RUBRIC-SCENARIO-ID": id.scenarioId,
    "X-RUBRIC-RUN-ID": id.runId,
    "X-RUBRIC-BATCH-ID": id.batchId,
  };
}
