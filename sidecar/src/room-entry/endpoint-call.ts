/**
 * One POST of JSON to a user's endpoint on the way into a room (bot runner, session endpoint,
 * token endpoint), bounded in time and size: a non-2xx answer, a refused connection or silence
 * past the limit is `bot_runner_error`; an answer that is not a JSON object is
 * `invalid_bot_runner_response`. Messages show the URL without query or credentials.
 */
import { displayUrl, redactUrls } from "@spar/protocol";
import { entryFailure, type RoomEntryFailure, type RoomEntryPorts } from "./room-entry-types.ts";

/** Largest answer read as JSON. */
export const MAX_ENDPOINT_RESPONSE_BYTES = 64 * 1024;
/** How much of a failed answer's body a message quotes (spec: the first 500 bytes). */
export const ERROR_BODY_BYTES = 500;

export type EndpointAnswer = { ok: true; body: unknown } | RoomEntryFailure;

export async function postJson(
  what: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  ports: Pick<RoomEntryPorts, "fetch" | "limits" | "checkUrl" | "signal">,
): Promise<EndpointAnswer> {
  const shown = `${what} ${displayUrl(url)}`;
  const refused = ports.checkUrl(url);
  if (refused !== undefined)
    return entryFailure("bot_runner_error", `${shown} may not be called: ${refused}`);
  const limitMs = ports.limits.endpointMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limitMs);
  try {
    const res = await ports.fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: ports.signal ? AbortSignal.any([controller.signal, ports.signal]) : controller.signal,
      // A redirect would leave the outbound check behind: it is an answer like any other non-2xx.
      redirect: "manual",
    });
    if (!res.ok) {
      const start = await readUpTo(res, ERROR_BODY_BYTES);
      return entryFailure(
        "bot_runner_error",
        `${shown} answered HTTP ${res.status}: ${new TextDecoder().decode(start.bytes)}`,
      );
    }
    const read = await readUpTo(res, MAX_ENDPOINT_RESPONSE_BYTES);
    if (read.truncated) {
      return entryFailure(
        "invalid_bot_runner_response",
        `${shown} answered more than ${MAX_ENDPOINT_RESPONSE_BYTES} bytes; expected a small JSON object`,
      );
    }
    try {
      return { ok: true, body: JSON.parse(new TextDecoder().decode(read.bytes)) };
    } catch {
      return entryFailure(
        "invalid_bot_runner_response",
        `${shown} answered HTTP ${res.status} with a body that is not JSON`,
      );
    }
  } catch (cause) {
    if (ports.signal?.aborted)
      return entryFailure("bot_runner_error", `${shown} was not awaited: the run was stopped`);
    if (controller.signal.aborted) {
      return entryFailure("bot_runner_error", `${shown} did not answer within ${limitMs / 1000} s`);
    }
    return entryFailure("bot_runner_error", `${shown} could not be reached: ${redactUrls(causeText(cause))}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The first `max` bytes of a body; the rest is never read (the stream is cancelled). */
export async function readUpTo(
  res: Response,
  max: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > max) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return { bytes: all.subarray(0, Math.min(size, max)), truncated };
}

/** What went wrong with a request, without the URL's query (undici puts the code in `cause`). */
function causeText(cause: unknown): string {
  const inner =
    cause instanceof Error ? (cause.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (inner && typeof inner.code === "string")
    return `${inner.code}${typeof inner.message === "string" ? ` (${inner.message})` : ""}`;
  return cause instanceof Error ? cause.message : String(cause);
}
