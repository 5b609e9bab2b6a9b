/**
 * `spar serve` on Node without SPAR_SIDECARS: one voice sidecar in this process (the real
 * LiveKit runner), its job API on a loopback port, its outbox file and recordings in the data
 * folder, and a fresh random token for both directions. The gateway posts jobs to it and its
 * outbox delivers results to the gateway's own result route over loopback: the same path a
 * remote sidecar takes.
 */
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Env = Readonly<Record<string, string | undefined>>;

export interface InProcessSidecar {
  token: string;
  /** Starts it (once; later calls answer the same); answers its job API URL. */
  start(): Promise<string>;
  /** Stops it if it was started. */
  close(): Promise<void>;
}

/** A sidecar started only when the first voice run needs it: loading the media stack takes seconds. */
export function lazyInProcessSidecar(
  dataDir: string,
  env: Env,
  log: (line: string) => void,
): InProcessSidecar {
  const token = randomBytes(24).toString("hex");
  let running: ReturnType<typeof startInProcessSidecar> | undefined;
  return {
    token,
    start: async () => {
      running ??= startInProcessSidecar(dataDir, env, token, log);
      return (await running).url;
    },
    close: async () => {
      const started = await running?.catch(() => undefined);
      await started?.close();
    },
  };
}

async function startInProcessSidecar(
  dataDir: string,
  env: Env,
  token: string,
  log: (line: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const sidecar = await import("@spar/sidecar");
  const config = sidecar.sidecarConfigFromEnv({
    SPAR_SIDECAR_TOKEN: token,
    SPAR_RESULT_TOKEN: token,
    SPAR_SIDECAR_HOST: "127.0.0.1",
    SPAR_SIDECAR_PORT: "0",
    SPAR_OUTBOX_URL: pathToFileURL(resolve(join(dataDir, "sidecar-outbox.db"))).href,
    ...(env.SPAR_MAX_CONCURRENT_CALLS ? { SPAR_MAX_CONCURRENT_CALLS: env.SPAR_MAX_CONCURRENT_CALLS } : {}),
  });
  sidecar.setRtcLogLevel(config.SPAR_RTC_LOG_LEVEL);
  const runner = sidecar.livekitRunnerFromEnv({
    SPAR_RECORDINGS_DIR: env.SPAR_RECORDINGS_DIR ?? join(dataDir, "sidecar-recordings"),
    SPAR_VAD: env.SPAR_VAD,
    SPAR_STT: env.SPAR_STT,
  });
  const running = await sidecar.startSidecar(config, {
    runner,
    telemetry: sidecar.noopTelemetry,
    log: (event, fields) => {
      if (event !== "delivered") log(`sidecar ${event} ${JSON.stringify(fields)}`);
    },
  });
  log(`voice sidecar started in this process at ${running.url}`);
  return { url: running.url, close: () => running.close() };
}
