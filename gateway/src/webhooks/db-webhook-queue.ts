/**
 * The `WebhookQueue` over the `webhook_deliveries` table (libSQL on Node; D1 and Durable-Object
 * SQLite speak the same SQL). How the port maps onto the storage:
 * - a claim's lease is `leased_until_ms`, apart from `next_attempt_at_ms` (the retry schedule),
 *   so `releaseLeases` frees claims without moving retries; the lease end identifies the claim,
 *   so `markFailed` applies only while `leased_until_ms` still equals the claim's lease end;
 * - `failedAttempts` is the `failed_attempts` column, not `attempts`: `attempts` counts claims,
 *   so a worker that died mid-attempt is visible there but, as the port says, is not a failure;
 * - "given up" is the `dead` status.
 */
import type { SparDatabase } from "../db/database.ts";
import {
  claimDueDeliveries,
  enqueueDelivery,
  getWebhookAnyWorkspace,
  markDeliveryDelivered,
  recordDeliveryFailure,
  releaseDeliveryLeases,
} from "../db/repositories/webhooks.ts";
import { sealContext } from "../db/sealed-fields.ts";
import { isForeignKeyViolation } from "../db/write-result.ts";
import type { SecretBox } from "../security/secret-box.ts";
import type { WebhookTargetLookup } from "./webhook-deliverer.ts";
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookClaim,
  WebhookFailure,
  WebhookQueue,
} from "./webhook-queue.ts";

export class DbWebhookQueue implements WebhookQueue {
  constructor(private readonly db: SparDatabase) {}

  /** A webhook deleted before (or while) its event is queued gets nothing: nobody is left to deliver to. */
  async enqueue(d: NewWebhookDelivery): Promise<void> {
    const webhook = await getWebhookAnyWorkspace(this.db, d.webhookId);
    if (webhook === undefined) return;
    try {
      await enqueueDelivery(this.db, webhook.workspaceId, {
        webhookId: d.webhookId,
        eventId: d.eventId,
        type: d.type,
        body: d.body,
        nowMs: d.createdAtMs,
      });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
    }
  }

  async claimDue(nowMs: number, limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]> {
    if (limit <= 0) return [];
    const rows = await claimDueDeliveries(this.db, { nowMs, leaseMs, limit });
    // Chosen earliest due first; answered in id order.
    return rows.map((row) => ({
      id: row.id,
      leaseUntilMs: nowMs + leaseMs,
      webhookId: row.webhookId,
      eventId: row.eventId,
      body: row.body,
      failedAttempts: row.failedAttempts,
      firstFailedAtMs: row.firstFailedAtMs,
    }));
  }

  async markDelivered(claim: WebhookClaim, atMs: number): Promise<void> {
    await markDeliveryDelivered(this.db, claim.id, atMs);
  }

  async markFailed(claim: WebhookClaim, failure: WebhookFailure): Promise<void> {
    await recordDeliveryFailure(this.db, { deliveryId: claim.id, leaseUntilMs: claim.leaseUntilMs }, failure);
  }

  releaseLeases(): Promise<number> {
    return releaseDeliveryLeases(this.db);
  }
}

/** Where the deliverer sends a webhook's deliveries: read at every attempt, secret opened then. */
export function dbWebhookTargets(db: SparDatabase, secrets: SecretBox): WebhookTargetLookup {
  return async (webhookId) => {
    const webhook = await getWebhookAnyWorkspace(db, webhookId);
    if (webhook === undefined) return undefined;
    const secret = await secrets.open(
      webhook.secret.ciphertext,
      sealContext(webhook.workspaceId, "webhook.secret"),
    );
    return { url: webhook.url, secret };
  };
}
