/**
 * `spar serve` on Node: the gateway's composition root below the CLI. Opens `<data>/gateway.db`
 * (libSQL, migrations applied), the secret key (SPAR_SECRET_KEY or `<data>/secret.key`), creates
 * workspace `default` with user `local` and a key on the first start (written to
 * `<data>/api-key`, mode 0600), builds the app over the Node adapters and listens. `close()`
 * stops accepting, ends the runs in flight (each recorded) and closes storage.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createGatewayApp, DEFAULT_RATE_LIMIT } from "../../app/gateway-app.ts";
import type { Log } from "../../app/http-errors.ts";
import { provisionWorkspace } from "../../app/provision.ts";
import type { GatewayServices } from "../../app/services.ts";
import type { GatewayConfig } from "../../config/gateway-config.ts";
import { hasAnyWorkspace } from "../../db/repositories/workspaces.ts";
import { DbRunRecorder, DEADLINE_GRACE_MS } from "../../runs/db-run-recorder.ts";
import {
  DEFAULT_FLUSH_EVERY_MS,
  DEFAULT_MAX_BUFFERED_EVENTS,
  RunEventBuffer,
} from "../../runs/run-event-buffer.ts";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import { recoverAfterRestart, type SweeperDeps, sweepOverdueRuns } from "../../runs/sweeper.ts";
import { bytesToBase64 } from "../../security/base64.ts";
import { checkUrlAtConnect } from "../../security/outbound-url.ts";
import { createSecretBoxFromKeys } from "../../security/secret-box.ts";
import { sdkLivekitRoomAdmin } from "../../voice/livekit-admin.ts";
import { observeSessionWithSidecar } from "../../voice/livekit-sessions-observer.ts";
import { httpSessionEndpointCaller } from "../../voice/session-endpoint.ts";
import { DbWebhookQueue, dbWebhookTargets } from "../../webhooks/db-webhook-queue.ts";
import { webhookRetryPolicy } from "../../webhooks/retry-schedule.ts";
import { createWebhookDeliverer } from "../../webhooks/webhook-deliverer.ts";
import { createDnsResolver } from "./dns-resolver.ts";
import { InProcessTextRunHost } from "./in-process-text-run-host.ts";
import { openLibsqlStorage } from "./libsql-storage.ts";
import { createNodeVoice } from "./node-voice.ts";
import { loadOrCreateSecretKeyFile } from "./secret-key-file.ts";

export interface StartGatewayOptions {
  port: number;
  host: string;
  dataDir: string;
  config: GatewayConfig;
  log: Log;
  /** Text runs at once per workspace. */
  runsPerWorkspace?: number;
  /** How often runs past their deadline are swept (default 5 s). */
  sweepEveryMs?: number;
  /** Per API key (default DEFAULT_RATE_LIMIT); benchmarks raise it to measure the server, not the limit. */
  rateLimit?: { ratePerSec: number; burst: number };
  now?: () => number;
  /**
   * A sidecar this process starts itself (`spar serve` without SPAR_SIDECARS), the first time a
   * voice run needs it (`start` answers its URL); results come back over loopback to the
   * listening URL with `token`. SPAR_SIDECARS wins when both are set.
   */
  inProcessSidecar?: { token: string; start: () => Promise<string> } | undefined;
  /** Whole-call limit of voice runs (default 600 s) and the grace past it before `sidecar_lost` (spec: 30 s). */
  voiceMaxDurationS?: number;
  voiceDeadlineGraceMs?: number;
  /** Per voice run: job posted → sidecar accepted, result received → run settled (ms). */
  onVoiceTiming?: (stage: "accepted" | "settled", runId: number, ms: number) => void;
}

export interface RunningGateway {
  url: string;
  /** Set on the first start only: the new workspace's key, also in `<data>/api-key`. */
  firstStartKey: string | undefined;
  apiKeyFile: string;
  services: GatewayServices;
  close(): Promise<void>;
}

export const API_KEY_FILE = "api-key";

export async function startGateway(o: StartGatewayOptions): Promise<RunningGateway> {
  const now = o.now ?? Date.now;
  const storage = await openLibsqlStorage(join(o.dataDir, "gateway.db"));
  const key = o.config.secretKey
    ? bytesToBase64(o.config.secretKey)
    : (await loadOrCreateSecretKeyFile(o.dataDir)).key;
  const resolver = createDnsResolver();
  const checkUrl = async (url: string): Promise<string | undefined> => {
    const check = await checkUrlAtConnect(url, o.config.outboundPolicy, resolver);
    return check.ok ? undefined : check.message;
  };
  const secrets = await createSecretBoxFromKeys(key);
  const webhookQueue = new DbWebhookQueue(storage.db);
  const deliverer = createWebhookDeliverer({
    queue: webhookQueue,
    targets: dbWebhookTargets(storage.db, secrets),
    // Webhook URLs pass the outbound policy after DNS too; a redirect is never followed.
    fetch: async (url, init) => {
      const refused = await checkUrl(url);
      if (refused !== undefined) throw new Error(`the outbound policy refused the webhook URL: ${refused}`);
      return fetch(url, { ...init, redirect: "manual" });
    },
    now,
    random: Math.random,
    timeoutMs: 10_000,
    retryPolicy: webhookRetryPolicy(o.config.webhookFirstRetryMs),
    log: (event, fields) => o.log({ level: "warn", message: `webhook ${event} ${JSON.stringify(fields)}` }),
  });
  const events = new RunEventBuffer({
    db: storage.db,
    flushEveryMs: DEFAULT_FLUSH_EVERY_MS,
    maxEvents: DEFAULT_MAX_BUFFERED_EVENTS,
    log: (message, cause) => o.log({ level: "error", message, cause }),
  });
  // The URL is known once listening; settlement reads it when it builds a report link.
  const settlement: SettlementDeps & { events: RunEventBuffer } = {
    db: storage.db,
    now,
    publicUrl: "",
    wakeWebhooks: () => deliverer.wake(),
    events,
  };
  const textRuns = new InProcessTextRunHost({
    recorder: new DbRunRecorder(settlement),
    perWorkspace: o.runsPerWorkspace ?? 20,
    checkUrl,
    now,
    log: (message, cause) => o.log({ level: "error", message, cause }),
  });
  const remote = o.config.sidecars.length > 0 && o.config.sidecarToken !== undefined;
  const voice = createNodeVoice({
    sidecars: remote
      ? { urls: o.config.sidecars, token: o.config.sidecarToken ?? "" }
      : o.inProcessSidecar === undefined
        ? undefined
        : { startOne: o.inProcessSidecar.start, token: o.inProcessSidecar.token },
    dataDir: o.dataDir,
    secrets,
    settlement,
    checkUrl,
    maxDurationS: o.voiceMaxDurationS,
    deadlineGraceMs: o.voiceDeadlineGraceMs ?? DEADLINE_GRACE_MS,
    onTiming: o.onVoiceTiming,
    log: (message, cause) => o.log({ level: "error", message, cause }),
  });
  const services: GatewayServices = {
    db: storage.db,
    secrets,
    outboundPolicy: o.config.outboundPolicy,
    textRuns,
    voice: voice.platform,
    livekit: {
      rooms: sdkLivekitRoomAdmin(checkUrl),
      callSessionEndpoint: httpSessionEndpointCaller({ fetch, checkUrl }),
      // The closure runs per session, after `services` exists.
      onSessionStarted: (session) => observeSessionWithSidecar(services, session),
    },
    wakeWebhooks: settlement.wakeWebhooks,
    publicUrl: "",
    adminToken: o.config.adminToken,
    credits: { enabled: o.config.credits, textRunCost: 1, voiceRunCost: 10 },
    now,
    log: o.log,
  };
  // The webhook deliveries a previous process was sending are due again now, not after their
  // lease; freed first, before settling its runs wakes the deliverer: freed after, a claim this
  // process had just made was freed too and its event sent twice (a test run the restart settled).
  const freedClaims = await webhookQueue.releaseLeases();
  if (freedClaims > 0)
    o.log({ level: "warn", message: `webhook released ${freedClaims} claim(s) of a stopped process` });
  // Runs a previous process left in flight end (and their test runs settle) before any request.
  await recoverAfterRestart(settlement, now());

  const apiKeyFile = join(o.dataDir, API_KEY_FILE);
  let firstStartKey: string | undefined;
  if (!(await hasAnyWorkspace(storage.db))) {
    const first = await provisionWorkspace(storage.db, {
      workspaceName: "default",
      userName: "local",
      keyName: "first start",
      nowMs: now(),
    });
    await writeFile(apiKeyFile, `${first.apiKey}\n`, { mode: 0o600 });
    firstStartKey = first.apiKey;
  }

  let requests = 0;
  const app = createGatewayApp(
    services,
    () => `req_${Date.now().toString(36)}_${(++requests).toString(36)}`,
    o.rateLimit ?? DEFAULT_RATE_LIMIT,
  );
  const server = serve({ fetch: app.fetch, hostname: o.host, port: o.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the gateway is not listening on TCP");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  services.publicUrl = o.config.publicUrl?.replace(/\/+$/, "") ?? url;
  settlement.publicUrl = services.publicUrl;
  deliverer.start();
  // A remote sidecar reaches the gateway at its public URL; one in this process over loopback.
  voice.start(remote ? services.publicUrl : url);
  const sweeperDeps: SweeperDeps = {
    ...settlement,
    release: (ids, why) => textRuns.cancel(ids, why),
    flushEvents: () => events.flush(),
  };
  const sweeper = setInterval(() => {
    sweepOverdueRuns(sweeperDeps, now()).catch((cause: unknown) =>
      o.log({ level: "error", message: "the sweeper failed", cause }),
    );
  }, o.sweepEveryMs ?? 5_000);
  sweeper.unref();

  return {
    url,
    firstStartKey,
    apiKeyFile,
    services,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      clearInterval(sweeper);
      await voice.close();
      await textRuns.stop("the gateway is shutting down");
      await events.flush();
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      await deliverer.stop();
      storage.close();
    },
  };
}
