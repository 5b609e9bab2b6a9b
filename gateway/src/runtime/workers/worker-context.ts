/**
 * The Workers composition root's shared part: from the env, once per isolate, the validated
 * configuration, storage (D1 through the one drizzle schema), the secret box, the outbound check
 * and the stubs of the Durable Objects. The fetch/scheduled entry and both Durable Object classes
 * build on it, so they agree on every setting.
 */
import { drizzle } from "drizzle-orm/d1";
import type { Log } from "../../app/http-errors.ts";
import { type GatewayConfig, parseGatewayEnv } from "../../config/gateway-config.ts";
import type { SparDatabase } from "../../db/database.ts";
import * as schema from "../../db/schema.ts";
import { DbRunRecorder } from "../../runs/db-run-recorder.ts";
import { RunEventBuffer } from "../../runs/run-event-buffer.ts";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import { createSecretBoxFromKeys, type SecretBox } from "../../security/secret-box.ts";
import { literalUrlCheck } from "./literal-url-check.ts";
import { sparVariables, type WorkerEnv } from "./worker-env.ts";
import { consoleLog } from "./worker-log.ts";

export interface WorkerContext {
  env: WorkerEnv;
  config: GatewayConfig;
  db: SparDatabase;
  secrets: SecretBox;
  log: Log;
  now: () => number;
  /** Why this URL may not be called now (the outbound policy), or undefined. */
  checkUrl: (url: string) => string | undefined;
  /** Settlement over D1; `publicUrl` is the base of report links. */
  settlement(publicUrl: string): SettlementDeps;
  /**
   * A recorder that writes through: each start and event is written at once, in order (Node
   * batches them; a Durable Object may be evicted at any moment, so nothing waits in memory).
   * `flush` resolves when every write so far, the `ended` event included, is stored.
   */
  recorder(publicUrl: string): { recorder: DbRunRecorder; flush(): Promise<void> };
  /** Asks the webhook Durable Object to deliver what is due now. */
  wakeWebhooks(): Promise<void>;
}

export class WorkerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the Worker's configuration is invalid: ${problems.join("; ")}`);
    this.name = "WorkerConfigError";
  }
}

const contexts = new WeakMap<WorkerEnv, Promise<WorkerContext>>();

/** The context of this env, built once per isolate; rejects with WorkerConfigError on a bad setting. */
export function workerContext(env: WorkerEnv): Promise<WorkerContext> {
  let context = contexts.get(env);
  if (context === undefined) {
    context = buildContext(env);
    contexts.set(env, context);
  }
  return context;
}

async function buildContext(env: WorkerEnv): Promise<WorkerContext> {
  const parsed = parseGatewayEnv(sparVariables(env), { defaultOutboundPolicy: "public" });
  if (!parsed.ok) throw new WorkerConfigError(parsed.errors);
  const { config } = parsed;
  const key = env.SPAR_SECRET_KEY;
  if (key === undefined || key.trim() === "") {
    throw new WorkerConfigError([
      "SPAR_SECRET_KEY: is required on Workers (wrangler secret put SPAR_SECRET_KEY; base64 of 32 bytes)",
    ]);
  }
  const db: SparDatabase = drizzle(env.DB, { schema });
  const log = consoleLog;
  const wakeWebhooks = async () => {
    await env.WEBHOOKS.get(env.WEBHOOKS.idFromName(WEBHOOK_OBJECT_NAME)).wake();
  };
  const settlement = (publicUrl: string): SettlementDeps => ({
    db,
    now: Date.now,
    publicUrl,
    wakeWebhooks: () => {
      wakeWebhooks().catch((cause: unknown) =>
        log({ level: "error", message: "the webhook Durable Object could not be woken", cause }),
      );
    },
  });
  return {
    env,
    config,
    db,
    secrets: await createSecretBoxFromKeys(key),
    log,
    now: Date.now,
    checkUrl: literalUrlCheck(config.outboundPolicy),
    wakeWebhooks,
    settlement,
    recorder: (publicUrl) => {
      const events = new RunEventBuffer({
        db,
        flushEveryMs: 0,
        maxEvents: 1,
        log: (message, cause) => log({ level: "error", message, cause }),
      });
      return {
        recorder: new DbRunRecorder({ ...settlement(publicUrl), events }),
        flush: () => events.flush(),
      };
    },
  };
}

/** The one webhook Durable Object: it owns the delivery schedule (one alarm). */
export const WEBHOOK_OBJECT_NAME = "deliveries";
