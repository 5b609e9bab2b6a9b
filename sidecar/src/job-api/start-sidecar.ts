import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { DEFAULT_BACKOFF } from "../outbox/backoff.ts";
import { openOutboxDatabase } from "../outbox/database.ts";
import { OutboxDeliverer, type OutboxLog } from "../outbox/deliverer.ts";
import { HttpDeliverySender } from "../outbox/http-delivery-sender.ts";
import { OutboxStore } from "../outbox/outbox-store.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { createJobApi } from "./app.ts";
import { JobService } from "./job-service.ts";
import type { SidecarEnv } from "./sidecar-config.ts";
import type { VoiceCallRunner } from "./voice-call-runner.ts";

export interface RunningSidecar {
  /** Base URL the job API listens on. */
  url: string;
  /** Stops taking jobs, ends running calls (their results are committed), stops delivery. */
  close(): Promise<void>;
}

/** Wires outbox, deliverer, job service and HTTP server together; main.ts supplies the parts. */
export async function startSidecar(
  config: SidecarEnv,
  deps: { runner: VoiceCallRunner; telemetry: Telemetry; log: OutboxLog },
): Promise<RunningSidecar> {
  await ensureParentDir(config.SPAR_OUTBOX_URL);
  const outbox = await openOutboxDatabase(config.SPAR_OUTBOX_URL);
  const store = new OutboxStore(outbox.db);
  const deliverer = new OutboxDeliverer({
    store,
    sender: new HttpDeliverySender({
      requestTimeoutMs: 60_000,
      ...(config.SPAR_RESULT_TOKEN === undefined
        ? {}
        : { headers: { authorization: `Bearer ${config.SPAR_RESULT_TOKEN}` } }),
    }),
    clock: { now: () => Date.now() },
    random: Math.random,
    backoff: DEFAULT_BACKOFF,
    pollIntervalMs: 5_000,
    log: deps.log,
  });
  // Resumes whatever a previous process left pending in the file.
  deliverer.start();
  const service = new JobService({
    runner: deps.runner,
    store,
    deliverer,
    telemetry: deps.telemetry,
    now: () => Date.now(),
    maxConcurrentJobs: config.SPAR_MAX_CONCURRENT_CALLS,
    defaultResultUrl: config.SPAR_RESULT_URL ?? null,
    graceMs: 30_000,
    log: deps.log,
  });
  const app = createJobApi({
    service,
    token: config.SPAR_SIDECAR_TOKEN,
    retryAfterS: config.SPAR_RETRY_AFTER_S,
    heartbeatMs: 15_000,
    log: deps.log,
  });
  const server = serve({
    fetch: app.fetch,
    hostname: config.SPAR_SIDECAR_HOST,
    port: config.SPAR_SIDECAR_PORT,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the job API is not listening on TCP");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await service.abortAll();
      // SSE streams end when their jobs do; anything still open is an idle client.
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      await deliverer.stop();
      await deps.telemetry.shutdown();
      outbox.close();
    },
  };
}

async function ensureParentDir(fileUrl: string): Promise<void> {
  const path = fileUrl.startsWith("file://") ? fileURLToPath(fileUrl) : fileUrl.slice("file:".length);
  await mkdir(dirname(path), { recursive: true });
}
