import { openAsBlob } from "node:fs";
import type { DeliverySender, SendOutcome } from "./delivery-sender.ts";
import { sha256File } from "./file-digest.ts";
import type { PendingDelivery } from "./outbox-store.ts";

/** Multipart field of the JSON payload (protocol/src/voice-job.ts, VOICE_RESULT_PART). */
const PAYLOAD_PART = "result";
/** How much of an error answer is kept in `last_error`; enough to diagnose, never the whole body. */
const ERROR_BODY_BYTES = 300;

export interface HttpDeliverySenderOptions {
  /** Per-attempt limit; a receiver that hangs is retried, never waited on forever. */
  requestTimeoutMs: number;
  /** Extra headers for every delivery, e.g. the gateway's shared secret. Never logged. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * POSTs a delivery as multipart/form-data: the JSON payload in the `result` part plus one
 * file part per attachment, with `Idempotency-Key`. One request = one logical delivery, so a
 * receiver never sees a result without its recordings.
 */
export class HttpDeliverySender implements DeliverySender {
  readonly #opts: HttpDeliverySenderOptions;

  constructor(opts: HttpDeliverySenderOptions) {
    this.#opts = opts;
  }

  async send(delivery: PendingDelivery, signal: AbortSignal): Promise<SendOutcome> {
    const form = new FormData();
    form.append(PAYLOAD_PART, new Blob([delivery.payloadJson], { type: "application/json" }));
    for (const a of delivery.attachments) {
      let digest: string;
      try {
        digest = await sha256File(a.path);
      } catch (cause) {
        return { kind: "permanent", error: `attachment ${a.part} unreadable: ${errorText(cause)}` };
      }
      // Sending a recording that changed since the result was written would deliver a lie.
      if (digest !== a.sha256) return { kind: "permanent", error: `attachment ${a.part} changed on disk` };
      form.append(a.part, await openAsBlob(a.path, { type: a.contentType }), a.part);
    }
    let response: Response;
    try {
      response = await fetch(delivery.targetUrl, {
        method: "POST",
        headers: { ...this.#opts.headers, "Idempotency-Key": delivery.idempotencyKey },
        body: form,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#opts.requestTimeoutMs)]),
      });
    } catch (cause) {
      return { kind: "retry", error: `request failed: ${errorText(cause)}` };
    }
    const body = (await response.text().catch(() => "")).slice(0, ERROR_BODY_BYTES);
    if (response.ok) return { kind: "delivered" };
    const error = `HTTP ${response.status}: ${body}`;
    if (isRetryable(response.status)) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"));
      return retryAfterMs === undefined ? { kind: "retry", error } : { kind: "retry", error, retryAfterMs };
    }
    return { kind: "permanent", error };
  }
}

/** 4xx means the request itself is wrong and will stay wrong — except these, which are about timing. */
function isRetryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

/** `Retry-After` is either delta-seconds or an HTTP date; only the first is worth honouring here. */
export function parseRetryAfterMs(value: string | null): number | undefined {
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

function errorText(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : "";
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
