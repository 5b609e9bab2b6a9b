/**
 * Follows one voice job's live events at its sidecar (`GET /v1/jobs/{id}/events`) and stores
 * each `turn` as the run's `transcript` event, carrying the sidecar's seq as its source seq
 * (run-events.ts): a follower that resumes after `lastSourceSeq` — or a second one reading the
 * same stream — stores nothing twice. Runtime-neutral: Node follows in the gateway's process,
 * Workers in a Durable Object per run (voice-run-object.ts).
 */
import type { VoiceRunEvent } from "@spar/protocol";
import type { NewRunEvent } from "../db/repositories/run-events.ts";
import { readJobEvents, type SidecarTarget } from "./sidecar-client.ts";
import { liveTranscriptEntry } from "./voice-transcript.ts";

/** The wait before reading a job's events again after its stream broke off. */
export const FOLLOW_RETRY_MS = 1_000;

/** A voice job a sidecar accepted: whose run it is, where it runs, and when it must be over. */
export interface FollowedVoiceJob {
  workspaceId: number;
  runId: number;
  sidecarUrl: string;
  /** The run's deadline (max duration + grace): following stops there. */
  deadlineAtMs: number;
}

/**
 * Why following stopped: the job's `job_finished` event arrived; the sidecar does not know the
 * job (restarted: the result, if any, comes through its outbox); the deadline passed; or the
 * signal aborted.
 */
export type FollowEnd = "finished" | "unknown_job" | "deadline" | "stopped";

export interface VoiceEventFollowerDeps {
  fetch: typeof fetch;
  sidecar: SidecarTarget;
  now: () => number;
  /** Stores one transcript event; called in stream order, each after the previous one settled. */
  store: (event: NewRunEvent) => void | Promise<void>;
  signal: AbortSignal;
  /** The wait before reading again after the stream broke off. */
  retryMs: number;
  log: (message: string, cause?: unknown) => void;
}

/** Reads the job's events after `afterSeq` until it finishes, is unknown, or the deadline passes. */
export async function followVoiceEvents(
  deps: VoiceEventFollowerDeps,
  job: FollowedVoiceJob,
  afterSeq: number,
): Promise<FollowEnd> {
  let resumeAfter = afterSeq;
  let finished = false;
  let storing = Promise.resolve();
  const onEvent = (event: VoiceRunEvent) => {
    if (event.type === "job_finished") finished = true;
    if (event.type !== "turn") return;
    const entry: NewRunEvent = {
      workspaceId: job.workspaceId,
      runId: job.runId,
      type: "transcript",
      data: liveTranscriptEntry(event),
      nowMs: deps.now(),
      sourceSeq: event.seq,
    };
    storing = storing
      .then(() => deps.store(entry))
      .catch((cause: unknown) =>
        deps.log(`voice run ${job.runId}: live event ${event.seq} could not be stored`, cause),
      );
  };
  while (!finished) {
    if (deps.signal.aborted) return "stopped";
    if (deps.now() >= job.deadlineAtMs) return "deadline";
    try {
      const read = await readJobEvents(
        deps.fetch,
        deps.sidecar,
        String(job.runId),
        resumeAfter,
        onEvent,
        deps.signal,
      );
      resumeAfter = read.lastSeq;
      if (read.status === 404 || read.status === 401) {
        await storing;
        return "unknown_job";
      }
    } catch {
      // The stream broke off (the sidecar went away, or the signal): read again from where it
      // stopped; a sidecar that never returns leaves the run to the deadline sweep.
    }
    await storing;
    if (!finished) await sleep(deps.retryMs, deps.signal);
  }
  await storing;
  return "finished";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
