import { and, asc, eq, lte, min } from "drizzle-orm";
import type { Attachment } from "./attachment.ts";
import { attachmentListSchema } from "./attachment.ts";
import type { OutboxDatabase } from "./database.ts";
import { type DeliveryStatus, jobResults, outboxDeliveries } from "./schema.ts";

export interface NewDelivery {
  idempotencyKey: string;
  targetUrl: string;
  payloadJson: string;
  attachments: readonly Attachment[];
}

export interface PendingDelivery {
  id: number;
  idempotencyKey: string;
  targetUrl: string;
  payloadJson: string;
  attachments: Attachment[];
  /** Attempts made so far (0 for a fresh row). */
  attempts: number;
}

export interface DeliveryState {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
}

/** Every read and write of the outbox file; times are epoch ms passed in by the caller. */
export class OutboxStore {
  readonly #db: OutboxDatabase;

  constructor(db: OutboxDatabase) {
    this.#db = db;
  }

  /**
   * Writes a final result and (when there is somewhere to send it) its delivery in ONE
   * transaction: after this resolves a crash cannot lose either, and before it neither exists.
   * Repeating it for the same run is a no-op, so a retried finish cannot send twice.
   */
  async commitResult(runId: string, resultJson: string, delivery: NewDelivery | null, nowMs: number) {
    await this.#db.transaction(async (tx) => {
      await tx
        .insert(jobResults)
        .values({ runId, resultJson, createdAtMs: nowMs })
        .onConflictDoNothing({ target: jobResults.runId });
      if (delivery === null) return;
      await tx
        .insert(outboxDeliveries)
        .values({
          idempotencyKey: delivery.idempotencyKey,
          targetUrl: delivery.targetUrl,
          payloadJson: delivery.payloadJson,
          attachmentsJson: JSON.stringify(delivery.attachments),
          status: "pending",
          attempts: 0,
          nextAttemptAtMs: nowMs,
          createdAtMs: nowMs,
        })
        .onConflictDoNothing({ target: outboxDeliveries.idempotencyKey });
    });
  }

  async resultJson(runId: string): Promise<string | undefined> {
    const rows = await this.#db
      .select({ json: jobResults.resultJson })
      .from(jobResults)
      .where(eq(jobResults.runId, runId));
    return rows[0]?.json;
  }

  async deliveryState(idempotencyKey: string): Promise<DeliveryState | undefined> {
    const rows = await this.#db
      .select({
        status: outboxDeliveries.status,
        attempts: outboxDeliveries.attempts,
        lastError: outboxDeliveries.lastError,
      })
      .from(outboxDeliveries)
      .where(eq(outboxDeliveries.idempotencyKey, idempotencyKey));
    return rows[0];
  }

  /** Pending deliveries whose next attempt is due, oldest first. */
  async due(nowMs: number, limit: number): Promise<PendingDelivery[]> {
    const rows = await this.#db
      .select()
      .from(outboxDeliveries)
      .where(and(eq(outboxDeliveries.status, "pending"), lte(outboxDeliveries.nextAttemptAtMs, nowMs)))
      .orderBy(asc(outboxDeliveries.nextAttemptAtMs), asc(outboxDeliveries.id))
      .limit(limit);
    return rows.map((r) => ({
      id: r.id,
      idempotencyKey: r.idempotencyKey,
      targetUrl: r.targetUrl,
      payloadJson: r.payloadJson,
      attachments: attachmentListSchema.parse(JSON.parse(r.attachmentsJson)),
      attempts: r.attempts,
    }));
  }

  /** When the earliest pending delivery becomes due; undefined when nothing is pending. */
  async nextDueAtMs(): Promise<number | undefined> {
    const rows = await this.#db
      .select({ at: min(outboxDeliveries.nextAttemptAtMs) })
      .from(outboxDeliveries)
      .where(eq(outboxDeliveries.status, "pending"));
    return rows[0]?.at ?? undefined;
  }

  async markDelivered(id: number, attempts: number, nowMs: number): Promise<void> {
    await this.#db
      .update(outboxDeliveries)
      .set({ status: "delivered", attempts, deliveredAtMs: nowMs, lastError: null })
      .where(eq(outboxDeliveries.id, id));
  }

  async scheduleRetry(id: number, attempts: number, nextAttemptAtMs: number, error: string): Promise<void> {
    await this.#db
      .update(outboxDeliveries)
      .set({ attempts, nextAttemptAtMs, lastError: error })
      .where(eq(outboxDeliveries.id, id));
  }

  /** Dead letters stay in the file for an operator to inspect or re-queue; nothing retries them. */
  async markDead(id: number, attempts: number, error: string): Promise<void> {
    await this.#db
      .update(outboxDeliveries)
      .set({ status: "dead", attempts, lastError: error })
      .where(eq(outboxDeliveries.id, id));
  }
}
