/**
 * The gateway's side of a sidecar's job API (sidecar/src/job-api/app.ts): POST a job with the
 * shared bearer token, cancel it, and read its run events as Server-Sent Events. Runtime-neutral:
 * fetch only.
 */
import { type VoiceJob, type VoiceRunEvent, voiceRunEventSchema } from "@spar/protocol";

/** A sidecar the gateway may post jobs to, with the shared bearer token. */
export interface SidecarTarget {
  url: string;
  token: string;
}

export type PostOutcome =
  | { kind: "accepted" }
  /** 429: running as many calls as it may. */
  | { kind: "full"; retryAfterMs: number | undefined; error: string }
  /** Not reachable, or a 5xx: another sidecar may take it, or this one later. */
  | { kind: "unavailable"; error: string }
  /** Any other 4xx: the job itself is wrong and stays wrong. */
  | { kind: "refused"; error: string };

const ERROR_BODY_CHARS = 300;

export async function postJob(
  fetchFn: typeof fetch,
  sidecar: SidecarTarget,
  job: VoiceJob,
  timeoutMs: number,
): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await fetchFn(`${sidecar.url}/v1/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${sidecar.token}`, "content-type": "application/json" },
      body: JSON.stringify(job),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    return {
      kind: "unavailable",
      error: `${sidecar.url}: ${cause instanceof Error ? cause.message : cause}`,
    };
  }
  const body = (await response.text().catch(() => "")).slice(0, ERROR_BODY_CHARS);
  if (response.status === 200 || response.status === 201) return { kind: "accepted" };
  const error = `${sidecar.url} answered HTTP ${response.status}: ${body}`;
  if (response.status === 429) {
    const after = response.headers.get("retry-after");
    const retryAfterMs = after !== null && /^\d{1,5}$/.test(after.trim()) ? Number(after) * 1000 : undefined;
    return { kind: "full", retryAfterMs, error };
  }
  if (response.status >= 500 || response.status === 408) return { kind: "unavailable", error };
  return { kind: "refused", error };
}

export type CancelOutcome =
  /** 202: the call is stopping; its `interrupted` result comes through the outbox. */
  | { kind: "stopping" }
  /** 200: the job had already ended; its result is (or was) on its way. */
  | { kind: "finished" }
  /** 404 (the sidecar does not know the job: restarted), unreachable, or any other answer. */
  | { kind: "unknown" | "unreachable"; error: string };

/** `DELETE /v1/jobs/:id`: the sidecar stops the call, which ends `interrupted` with what it has. */
export async function cancelJob(
  fetchFn: typeof fetch,
  sidecar: SidecarTarget,
  runId: string,
  timeoutMs: number,
): Promise<CancelOutcome> {
  let response: Response;
  try {
    response = await fetchFn(`${sidecar.url}/v1/jobs/${encodeURIComponent(runId)}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${sidecar.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    return {
      kind: "unreachable",
      error: `${sidecar.url}: ${cause instanceof Error ? cause.message : cause}`,
    };
  }
  const body = (await response.text().catch(() => "")).slice(0, ERROR_BODY_CHARS);
  if (response.status === 202) return { kind: "stopping" };
  if (response.status === 200) return { kind: "finished" };
  const error = `${sidecar.url} answered HTTP ${response.status}: ${body}`;
  return { kind: response.status === 404 ? "unknown" : "unreachable", error };
}

/**
 * Reads `GET /v1/jobs/:id/events` until the stream ends or `signal` aborts, handing each
 * decoded event to `onEvent`; answers the last seq seen (resume after it). An event that does
 * not decode is skipped (and counted): the result, not the live stream, is what is settled on.
 */
export async function readJobEvents(
  fetchFn: typeof fetch,
  sidecar: SidecarTarget,
  runId: string,
  afterSeq: number,
  onEvent: (event: VoiceRunEvent) => void,
  signal: AbortSignal,
): Promise<{ lastSeq: number; status: number; undecodable: number }> {
  const response = await fetchFn(`${sidecar.url}/v1/jobs/${encodeURIComponent(runId)}/events`, {
    headers: {
      authorization: `Bearer ${sidecar.token}`,
      accept: "text/event-stream",
      ...(afterSeq > 0 ? { "last-event-id": String(afterSeq) } : {}),
    },
    signal,
  });
  let lastSeq = afterSeq;
  let undecodable = 0;
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => {});
    return { lastSeq, status: response.status, undecodable };
  }
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end === -1) break;
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data === "") continue;
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        undecodable++;
        continue;
      }
      const parsed = voiceRunEventSchema.safeParse(json);
      if (!parsed.success) {
        undecodable++;
        continue;
      }
      lastSeq = Math.max(lastSeq, parsed.data.seq);
      onEvent(parsed.data);
    }
  }
  return { lastSeq, status: response.status, undecodable };
}
