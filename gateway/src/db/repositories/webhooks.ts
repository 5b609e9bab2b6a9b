/**
 * Webhooks and their delivery queue. Endpoints are per workspace; the queue is worked by one
 * deliverer for all workspaces, so claiming and marking take no workspace id.
 */

import type { WebhookEventType } from "@spar/protocol";
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { webhookDeliveries, webhooks } from "../schema.ts";
import type { SealedSecret } from "../sealed-secret.ts";

export interface WebhookRecord {
  id: number;
  workspaceId: number;
  url: string;
  events: WebhookEventType[];
  secret: SealedSecret;
  createdAtMs: number;
}

export type DeliveryRecord = typeof webhookDeliveries.$inferSelect;

type WebhookRow = typeof webhooks.$inferSelect;

function toWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    url: row.url,
    events: row.events,
    secret: { ciphertext: row.secretCiphertext, keyId: row.secretKeyId },
    createdAtMs: row.createdAtMs,
  };
}

export async function createWebhook(
  db: SparDatabase,
  workspaceId: number,
  input: { url: string; events: WebhookEventType[]; secret: SealedSecret },
  nowMs: number,
): Promise<WebhookRecord> {
  const [row] = await db
    .insert(webhooks)
    .values({
      workspaceId,
      url: input.url,
      events: [...new Set(input.events)],
      secretCiphertext: input.secret.ciphertext,
      secretKeyId: input.secret.keyId,
      createdAtMs: nowMs,
    })
    .returning();
  if (row === undefined) throw new Error("insert into webhooks returned no row");
  return toWebhook(row);
}

export async function getWebhook(
  db: SparDatabase,
  workspaceId: number,
  webhookId: number,
): Promise<WebhookRecord | undefined> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, webhookId)));
  return row === undefined ? undefined : toWebhook(row);
}

export async function listWebhooks(
  db: SparDatabase,
  workspaceId: number,
  page: PageRequest,
): Promise<Page<WebhookRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(webhooks)
    .where(
      and(
        eq(webhooks.workspaceId, workspaceId),
        page.after === undefined ? undefined : lt(webhooks.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(webhooks.id))
    .limit(limit + 1);
  return toPage(rows.map(toWebhook), limit);
}

/** For the deliverer, across workspaces: where webhook `webhookId` is, whoever owns it. */
export async function getWebhookAnyWorkspace(
  db: SparDatabase,
  webhookId: number,
): Promise<WebhookRecord | undefined> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
  return row === undefined ? undefined : toWebhook(row);
}

/** The workspace's webhooks subscribed to `type`: whom an event fans out to. */
export async function getWebhooksForEvent(
  db: SparDatabase,
  workspaceId: number,
  type: WebhookEventType,
): Promise<WebhookRecord[]> {
  const rows = await db
    .select()
    .from(webhooks)
    .where(
      and(
        eq(webhooks.workspaceId, workspaceId),
        sql`exists (select 1 from json_each(${webhooks.events}) where json_each.value = ${type})`,
      ),
    )
    .orderBy(asc(webhooks.id));
  return rows.map(toWebhook);
}

/** False when the webhook is not in the workspace. Its pending deliveries go with it (cascade). */
export async function deleteWebhook(
  db: SparDatabase,
  workspaceId: number,
  webhookId: number,
): Promise<boolean> {
  const rows = await db
    .delete(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, webhookId)))
    .returning({ id: webhooks.id });
  return rows.length === 1;
}

export interface NewDelivery {
  webhookId: number;
  eventId: string;
  type: WebhookEventType;
  /** The JSON body exactly as it will be signed and sent. */
  body: string;
  nowMs: number;
}

/**
 * Queues a delivery, due now. Idempotent per (webhook, event id): enqueuing the same event
 * twice keeps one delivery. False when the webhook is not in the workspace.
 */
export async function enqueueDelivery(
  db: SparDatabase,
  workspaceId: number,
  input: NewDelivery,
): Promise<boolean> {
  // A webhook deleted between this check and the insert fails the foreign key: let it throw,
  // the event is then rightly not delivered.
  if ((await getWebhook(db, workspaceId, input.webhookId)) === undefined) return false;
  await db
    .insert(webhookDeliveries)
    .values({
      workspaceId,
      webhookId: input.webhookId,
      eventId: input.eventId,
      type: input.type,
      body: input.body,
      status: "pending",
      attempts: 0,
      nextAttemptAtMs: input.nowMs,
      createdAtMs: input.nowMs,
    })
    .onConflictDoNothing({ target: [webhookDeliveries.webhookId, webhookDeliveries.eventId] });
  return true;
}

/**
 * Claims up to `limit` pending deliveries that are due and not leased, oldest due first, in ONE
 * UPDATE: each claimed row gets `attempts + 1` and a lease (`leased_until_ms = now + leaseMs`),
 * so a concurrent claimer cannot take it again, and a claimer that crashes releases it when the
 * lease runs out (or when the next sole deliverer starts: `releaseDeliveryLeases`). The answered
 * rows carry the new attempt count and the lease end that identifies this claim.
 */
export async function claimDueDeliveries(
  db: SparDatabase,
  query: { nowMs: number; leaseMs: number; limit: number },
): Promise<DeliveryRecord[]> {
  const claimable = and(
    eq(webhookDeliveries.status, "pending"),
    lte(webhookDeliveries.nextAttemptAtMs, query.nowMs),
    or(isNull(webhookDeliveries.leasedUntilMs), lte(webhookDeliveries.leasedUntilMs, query.nowMs)),
  );
  const due = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(claimable)
    .orderBy(asc(webhookDeliveries.nextAttemptAtMs), asc(webhookDeliveries.id))
    .limit(Math.max(1, Math.trunc(query.limit)));
  const rows = await db
    .update(webhookDeliveries)
    .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, leasedUntilMs: query.nowMs + query.leaseMs })
    .where(and(inArray(webhookDeliveries.id, due), claimable))
    .returning();
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * Frees every claim, for a deliverer that is the only one on this database and is starting: any
 * lease then belongs to a process that is gone (a stop mid-attempt, a crash), and waiting out
 * its lease would hold that delivery back for a whole lease. Scheduled retries are untouched.
 * Answers how many claims were freed. At least once: the freed delivery is sent again.
 */
export async function releaseDeliveryLeases(db: SparDatabase): Promise<number> {
  const freed = await db
    .update(webhookDeliveries)
    .set({ leasedUntilMs: null })
    .where(and(eq(webhookDeliveries.status, "pending"), isNotNull(webhookDeliveries.leasedUntilMs)))
    .returning({ id: webhookDeliveries.id });
  return freed.length;
}

/** Terminal; a no-op on a delivery already delivered or given up (a late success revives nothing). */
export async function markDeliveryDelivered(
  db: SparDatabase,
  deliveryId: number,
  nowMs: number,
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "delivered", deliveredAtMs: nowMs, lastError: null, leasedUntilMs: null })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
}

/**
 * Records a failed attempt made under the claim whose lease ends at `leaseUntilMs` (the lease end
 * identifies the claim): one more failure, the first failure's time kept, the lease cleared, and
 * either the next attempt's time or, with `nextAttemptAtMs` undefined, given up. A no-op when the
 * delivery was claimed again or released since, or is no longer pending, so a slow worker cannot
 * undo a newer outcome.
 */
export async function recordDeliveryFailure(
  db: SparDatabase,
  claim: { deliveryId: number; leaseUntilMs: number },
  failure: { atMs: number; error: string; nextAttemptAtMs: number | undefined },
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      failedAttempts: sql`${webhookDeliveries.failedAttempts} + 1`,
      firstFailedAtMs: sql`coalesce(${webhookDeliveries.firstFailedAtMs}, ${failure.atMs})`,
      lastError: failure.error,
      leasedUntilMs: null,
      ...(failure.nextAttemptAtMs === undefined
        ? { status: "dead" as const }
        : { nextAttemptAtMs: failure.nextAttemptAtMs }),
    })
    .where(
      and(
        eq(webhookDeliveries.id, claim.deliveryId),
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.leasedUntilMs, claim.leaseUntilMs),
      ),
    );
}

/** After a failed attempt: due again at `nextAttemptAtMs` (the caller's backoff with jitter). */
export async function scheduleDeliveryRetry(
  db: SparDatabase,
  deliveryId: number,
  retry: { nextAttemptAtMs: number; error: string },
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ nextAttemptAtMs: retry.nextAttemptAtMs, lastError: retry.error, leasedUntilMs: null })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
}

/** Gives up (after the retry window): kept for an operator to inspect; nothing retries it. */
export async function markDeliveryDead(db: SparDatabase, deliveryId: number, error: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "dead", lastError: error })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
}

/**
 * When the next pending delivery comes due: its next attempt, or its lease's end if it is
 * claimed (a claimer that died releases it then). Undefined when nothing is pending.
 */
export async function nextDeliveryDueAtMs(db: SparDatabase): Promise<number | undefined> {
  const { nextAttemptAtMs, leasedUntilMs } = webhookDeliveries;
  const [row] = await db
    .select({ at: sql<number | null>`min(max(${nextAttemptAtMs}, coalesce(${leasedUntilMs}, 0)))` })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, "pending"));
  return row?.at ?? undefined;
}

export async function getDelivery(
  db: SparDatabase,
  workspaceId: number,
  deliveryId: number,
): Promise<DeliveryRecord | undefined> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.id, deliveryId)));
  return row;
}
