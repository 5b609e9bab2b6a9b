/**
 * The sidecar process's composition root: the only place that reads the environment. Starts
 * telemetry, the durable outbox (resuming pending deliveries) and the job API, with the
 * voice call runner chosen by SPAR_RUNNER.
 */
import { livekitRunnerFromEnv } from "./call/livekit-runner-config.ts";
import { sidecarConfigFromEnv } from "./job-api/sidecar-config.ts";
import { startSidecar } from "./job-api/start-sidecar.ts";
import type { VoiceCallRunner } from "./job-api/voice-call-runner.ts";
import { lowerMediaThreads } from "./room/event-loop-priority.ts";
import { setRtcLogLevel } from "./room/rtc-log-level.ts";
import { telemetryFromEnv } from "./telemetry/telemetry-from-env.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Runners this build can run calls with, by SPAR_RUNNER name. An unknown name refuses to start
 * rather than accept jobs it cannot run. `livekit` joins the job's room as the caller
 * (SPAR_RECORDINGS_DIR, SPAR_VAD, SPAR_STT configure it).
 */
const RUNNERS: Readonly<Record<string, (env: Env) => VoiceCallRunner>> = {
  livekit: livekitRunnerFromEnv,
};

function log(event: string, fields: Record<string, string | number>): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`);
}

async function main(env: Env): Promise<void> {
  const config = sidecarConfigFromEnv(env);
  const makeRunner = RUNNERS[config.SPAR_RUNNER];
  if (makeRunner === undefined) {
    const known = Object.keys(RUNNERS);
    throw new Error(
      `no voice call runner named "${config.SPAR_RUNNER}" is plugged into this build ` +
        `(available: ${known.length === 0 ? "none yet" : known.join(", ")}). ` +
        "Register one in RUNNERS in sidecar/src/main.ts; the sidecar will not accept jobs it cannot run.",
    );
  }
  if (config.SPAR_MEDIA_THREADS_NICE !== undefined) lowerMediaThreads(config.SPAR_MEDIA_THREADS_NICE);
  setRtcLogLevel(config.SPAR_RTC_LOG_LEVEL);
  const telemetry = telemetryFromEnv(env);
  const sidecar = await startSidecar(config, { runner: makeRunner(env), telemetry, log });
  log("sidecar_listening", { url: sidecar.url, max_concurrent_calls: config.SPAR_MAX_CONCURRENT_CALLS });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("sidecar_stopping", { signal });
    sidecar.close().then(
      () => process.exit(0),
      (cause: unknown) => {
        log("sidecar_stop_failed", { error: String(cause) });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main(process.env).catch((cause: unknown) => {
  process.stderr.write(`spar sidecar: ${cause instanceof Error ? cause.message : String(cause)}\n`);
  process.exit(1);
});
