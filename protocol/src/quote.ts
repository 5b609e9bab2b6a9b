import { PROTOCOL_ERROR_QUOTE_BYTES } from "./limits.ts";

/** The first `maxBytes` bytes of `raw` as text, for error details that quote what was received. */
export function quoteFrame(raw: string | Uint8Array, maxBytes = PROTOCOL_ERROR_QUOTE_BYTES): string {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  if (bytes.byteLength <= maxBytes) return new TextDecoder().decode(bytes);
  // A cut may split a multi-byte character: decoding as a stream holds back its unfinished
  // bytes, so the quote never shows a replacement character the agent did not send.
  return `${new TextDecoder().decode(bytes.subarray(0, maxBytes), { stream: true })}…`;
}
