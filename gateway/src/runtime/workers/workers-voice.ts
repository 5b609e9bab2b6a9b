/**
 * Voice on Workers: remote sidecars only (SPAR_SIDECARS + SPAR_SIDECAR_TOKEN), recordings in R2
 * (RECORDINGS). A request cannot hold a sidecar's event stream for a whole call, so each
 * accepted job is handed to its run's Durable Object (VOICE_RUNS), which follows it live. The
 * queue is pumped after each request that started runs (`ctx.waitUntil`) and by the cron sweep
 * (runs every sidecar was too full for).
 */

import { DEADLINE_GRACE_MS } from "../../runs/db-run-recorder.ts";
import { RunEventBuffer } from "../../runs/run-event-buffer.ts";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import {
  DEFAULT_CANCEL_WAIT_MS,
  DEFAULT_VOICE_MAX_DURATION_S,
  startVoiceRuns,
} from "../../voice/start-voice-runs.ts";
import { VOICE_RESULTS_PATH, VoiceDispatcher } from "../../voice/voice-dispatcher.ts";
import type { VoicePlatform } from "../../voice/voice-platform.ts";
import { R2RecordingStore } from "./r2-recording-store.ts";
import type { WorkerContext } from "./worker-context.ts";

export interface WorkersVoice {
  platform: VoicePlatform;
  /** Posts queued jobs if a request queued some since the last pump; for `ctx.waitUntil`. */
  pumpIfWoken(): Promise<void>;
  /** The cron's pump: every due job, woken or not. */
  pump(): Promise<void>;
}

export function createWorkersVoice(context: WorkerContext, settlement: SettlementDeps): WorkersVoice {
  const { config, log } = context;
  const recordings = new R2RecordingStore(context.env.RECORDINGS);
  const token = config.sidecarToken;
  const configured = config.sidecars.length > 0 && token !== undefined;
  // Write-through: an isolate may be evicted at any moment, so nothing waits in memory. Built per
  // use: a Worker may not touch an I/O object (a timer, a stream) made by another request.
  const writeThrough = () =>
    new RunEventBuffer({
      db: context.db,
      flushEveryMs: 0,
      maxEvents: 1,
      log: (message, cause) => log({ level: "error", message, cause }),
    });
  const dispatcherFor = (events: RunEventBuffer) =>
    new VoiceDispatcher({
      secrets: context.secrets,
      settlement,
      sidecars: config.sidecars.map((url) => ({ url: url.replace(/\/+$/, ""), token: token ?? "" })),
      resultUrl: () => `${settlement.publicUrl}${VOICE_RESULTS_PATH}`,
      fetch: (input, init) => fetch(input, init),
      addEvent: (event) => events.add(event),
      follow: async (job) => {
        const runs = context.env.VOICE_RUNS;
        await runs.get(runs.idFromName(String(job.runId))).follow(job);
      },
      deadlineGraceMs: DEADLINE_GRACE_MS,
      checkUrl: async (url) => context.checkUrl(url),
      log: (message, cause) => log({ level: "error", message, cause }),
    });
  let woken = false;
  const pump = async () => {
    if (!configured) return;
    const events = writeThrough();
    try {
      await dispatcherFor(events).pump();
      await events.flush();
    } catch (cause) {
      log({ level: "error", message: "the voice job queue could not be pumped", cause });
    }
  };
  const platform: VoicePlatform = {
    unavailable: !configured
      ? "no voice sidecar is configured: set SPAR_SIDECARS and SPAR_SIDECAR_TOKEN (Workers run no sidecar of their own)"
      : undefined,
    maxDurationS: DEFAULT_VOICE_MAX_DURATION_S,
    deadlineGraceMs: DEADLINE_GRACE_MS,
    start: (starts) =>
      startVoiceRuns(
        {
          secrets: context.secrets,
          settlement,
          wake: () => {
            woken = true;
          },
        },
        starts,
      ),
    cancel: async (runIds) => (configured ? dispatcherFor(writeThrough()).cancel(runIds) : []),
    cancelWaitMs: DEFAULT_CANCEL_WAIT_MS,
    sidecarToken: token,
    results: { secrets: context.secrets, settlement, recordings },
    recordings,
  };
  return {
    platform,
    async pumpIfWoken() {
      if (!woken) return;
      woken = false;
      await pump();
    },
    pump,
  };
}
