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
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startInProcessSidecar(
  dataDir: string,
  env: Env,
  log: (line: string) => void,
): Promise<InProcessSidecar> {
  const sidecar = await import("@spar/sidecar");
  const token = randomBytes(24).toString("hex");
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
  return { url: running.url, token, close: () => running.close() };
}
