/**
 * Webhook delivery on Workers: one Durable Object owns the schedule. `wake()` (after a run or
 * test run queued an event) rings its alarm now; the alarm runs the shared deliverer's `tick()`
 * over D1 and sets the next alarm at the earliest pending delivery's due time (a retry, or a
 * lease that runs out). The cron trigger wakes it too, so nothing waits on a lost alarm.
 * There is one such object, so a new instance of it frees its predecessor's claims before its
 * first tick: a delivery that instance was sending when it stopped (a deploy, workerd's SIGTERM)
 * is sent again now, not after the whole lease.
 */
import { DurableObject } from "cloudflare:workers";
import { nextDeliveryDueAtMs } from "../../db/repositories/webhooks.ts";
import { DbWebhookQueue, dbWebhookTargets } from "../../webhooks/db-webhook-queue.ts";
import { webhookRetryPolicy } from "../../webhooks/retry-schedule.ts";
import { createWebhookDeliverer, type WebhookDeliverer } from "../../webhooks/webhook-deliverer.ts";
import { type WorkerContext, workerContext } from "./worker-context.ts";
import type { WorkerEnv } from "./worker-env.ts";

export class WebhookObject extends DurableObject<WorkerEnv> {
  private deliverer: WebhookDeliverer | undefined;
  /** This instance's one release of the claims an earlier instance left. */
  private released: Promise<void> | undefined;

  /** Something was queued: deliver it now. */
  async wake(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const now = Date.now();
    if (current === null || current > now) await this.ctx.storage.setAlarm(now);
  }

  override async alarm(): Promise<void> {
    const context = await workerContext(this.env);
    try {
      this.released ??= this.releaseEarlierClaims(context);
      await this.released;
      await this.delivererOf(context).tick();
    } finally {
      const next = await nextDeliveryDueAtMs(context.db);
      // Never sooner than a moment from now: a delivery leased elsewhere is due at its lease end.
      if (next !== undefined) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 50));
    }
  }

  private async releaseEarlierClaims(context: WorkerContext): Promise<void> {
    try {
      const freed = await new DbWebhookQueue(context.db).releaseLeases();
      if (freed > 0)
        context.log({ level: "warn", message: `webhook released ${freed} claim(s) of a stopped instance` });
    } catch (cause) {
      this.released = undefined; // tried again at the next alarm
      throw cause;
    }
  }

  private delivererOf(context: WorkerContext): WebhookDeliverer {
    this.deliverer ??= createWebhookDeliverer({
      queue: new DbWebhookQueue(context.db),
      targets: dbWebhookTargets(context.db, context.secrets),
      // Webhook URLs pass the outbound policy again at send; a redirect is never followed.
      fetch: async (url, init) => {
        const refused = context.checkUrl(url);
        if (refused !== undefined) throw new Error(`the outbound policy refused the webhook URL: ${refused}`);
        return fetch(url, { ...init, redirect: "manual" });
      },
      now: Date.now,
      random: Math.random,
      timeoutMs: 10_000,
      retryPolicy: webhookRetryPolicy(context.config.webhookFirstRetryMs),
      log: (event, fields) =>
        context.log({ level: "warn", message: `webhook ${event} ${JSON.stringify(fields)}` }),
    });
    return this.deliverer;
  }
}
