/**
 * The Worker entry (wrangler.toml `main`): the same Hono app as `spar serve`, over D1, a Durable
 * Object per text run and one for webhook deliveries. The app and its in-memory limits (rate,
 * event streams) are built once per isolate from the env, like Node's start-gateway.ts builds
 * them once per process; the cron trigger runs the run sweep.
 */
import type { ExecutionContext, ScheduledController } from "@cloudflare/workers-types";
import type { Hono } from "hono";
import type { AppEnv } from "../../app/app-env.ts";
import { createGatewayApp } from "../../app/gateway-app.ts";
import { errorBody } from "../../app/http-errors.ts";
import type { GatewayServices } from "../../app/services.ts";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import { sdkLivekitRoomAdmin } from "../../voice/livekit-admin.ts";
import { observeSessionWithSidecar } from "../../voice/livekit-sessions-observer.ts";
import { httpSessionEndpointCaller } from "../../voice/session-endpoint.ts";
import { bootstrapWorkspace, firstKeyOf } from "./bootstrap-workspace.ts";
import { applyD1Migrations } from "./d1-migrations.ts";
import { DurableTextRunHost } from "./durable-text-run-host.ts";
import { sweepRuns } from "./run-sweep.ts";
import { WorkerConfigError, type WorkerContext, workerContext } from "./worker-context.ts";
import type { WorkerEnv } from "./worker-env.ts";
import { createWorkersVoice, type WorkersVoice } from "./workers-voice.ts";

export { TextRunObject } from "./text-run-object.ts";
export { VoiceRunObject } from "./voice-run-object.ts";
export { WebhookObject } from "./webhook-object.ts";

interface Gateway {
  context: WorkerContext;
  settlement: SettlementDeps;
  services: GatewayServices;
  host: DurableTextRunHost;
  voice: WorkersVoice;
  app: Hono<AppEnv>;
}

const gateways = new WeakMap<WorkerEnv, Promise<Gateway>>();

function gatewayOf(env: WorkerEnv, origin: string | undefined): Promise<Gateway> {
  let gateway = gateways.get(env);
  if (gateway === undefined) {
    gateway = buildGateway(env, origin);
    gateways.set(env, gateway);
    // A failed start (D1 unreachable) is tried again by the next request, not cached.
    gateway.catch(() => gateways.delete(env));
  }
  return gateway;
}

async function buildGateway(env: WorkerEnv, origin: string | undefined): Promise<Gateway> {
  const context = await workerContext(env);
  const { config, db, log } = context;
  await applyD1Migrations(env.DB);
  const firstKey = firstKeyOf(env.SPAR_FIRST_KEY_PREFIX, env.SPAR_FIRST_KEY_SHA256);
  if (firstKey !== undefined) await bootstrapWorkspace(db, firstKey, context.now());
  // The base of report links: configured, else where the first request came in.
  const publicUrl = config.publicUrl?.replace(/\/+$/, "") ?? origin ?? "";
  const settlement = context.settlement(publicUrl);
  const checkUrl = async (url: string) => context.checkUrl(url);
  const host = new DurableTextRunHost({
    namespace: env.TEXT_RUNS,
    publicUrl: () => services.publicUrl,
    recorder: () => context.recorder(settlement.publicUrl),
    log,
  });
  const voice = createWorkersVoice(context, settlement);
  const services: GatewayServices = {
    db,
    secrets: context.secrets,
    outboundPolicy: config.outboundPolicy,
    textRuns: host,
    voice: voice.platform,
    livekit: {
      rooms: sdkLivekitRoomAdmin(checkUrl),
      callSessionEndpoint: httpSessionEndpointCaller({
        fetch: (input, init) => fetch(input, init),
        checkUrl,
      }),
      // The closure runs per session, after `services` exists.
      onSessionStarted: (session) => observeSessionWithSidecar(services, session),
    },
    wakeWebhooks: settlement.wakeWebhooks,
    publicUrl,
    adminToken: config.adminToken,
    credits: { enabled: config.credits, textRunCost: 1, voiceRunCost: 10 },
    now: context.now,
    log,
  };
  let requests = 0;
  const app = createGatewayApp(services, () => `req_${Date.now().toString(36)}_${(++requests).toString(36)}`);
  return { context, settlement, services, host, voice, app };
}

/** A Worker whose configuration is invalid answers every request so, naming no value. */
function misconfigured(error: unknown): Response {
  const problems = error instanceof WorkerConfigError ? error.problems : [];
  console.error(`spar error | - | the gateway cannot start | ${problems.join(" | ") || String(error)}`);
  return Response.json(errorBody("internal", "the gateway is misconfigured; see its log", "-"), {
    status: 500,
  });
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let gateway: Gateway;
    try {
      gateway = await gatewayOf(env, new URL(request.url).origin);
    } catch (error) {
      return misconfigured(error);
    }
    if (gateway.services.publicUrl === "") {
      // Started by the cron before any request: the first request says where it is served.
      gateway.services.publicUrl = new URL(request.url).origin;
      gateway.settlement.publicUrl = gateway.services.publicUrl;
    }
    const response = await gateway.app.fetch(request, env, ctx);
    ctx.waitUntil(gateway.host.drain());
    ctx.waitUntil(gateway.voice.pumpIfWoken());
    return response;
  },

  async scheduled(_controller: ScheduledController, env: WorkerEnv): Promise<void> {
    const gateway = await gatewayOf(env, undefined);
    // Awaited, not left to waitUntil: `spar serve` runs this once at start and must see it done.
    try {
      await gateway.voice.pump();
      const report = await sweepRuns(gateway.context, gateway.host, gateway.services.publicUrl);
      if (report.overdue + report.lost + report.settled > 0) {
        gateway.context.log({ level: "info", message: `sweep ${JSON.stringify(report)}` });
      }
    } catch (cause) {
      gateway.context.log({ level: "error", message: "the run sweep failed", cause });
    }
  },
};
