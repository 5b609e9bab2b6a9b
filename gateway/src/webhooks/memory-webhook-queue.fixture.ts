/**
 * A test fake of the `WebhookQueue` port, held in memory. Each method does its reads and writes
 * without an await in between, which is what a single SQL statement gives the real adapter:
 * claims cannot interleave. Not for production (a restart loses everything); the drizzle
 * adapter is.
 */
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookClaim,
  WebhookFailure,
  WebhookQueue,
} from "./webhook-queue.ts";

export type DeliveryStatus = "pending" | "delivered" | "given_up";

export interface StoredDelivery {
  id: number;
  webhookId: number;
  eventId: string;
  body: string;
  status: DeliveryStatus;
  failedAttempts: number;
  firstFailedAtMs: number | null;
  nextAttemptAtMs: number;
  leaseUntilMs: number | null;
  lastError: string | null;
  deliveredAtMs: number | null;
}

export class MemoryWebhookQueue implements WebhookQueue {
  readonly #rows: StoredDelivery[] = [];
  /** How many times each method was called, for tests that count round trips. */
  readonly calls = { enqueue: 0, claimDue: 0, markDelivered: 0, markFailed: 0, releaseLeases: 0 };

  async enqueue(d: NewWebhookDelivery): Promise<void> {
    this.calls.enqueue++;
    if (this.#rows.some((r) => r.webhookId === d.webhookId && r.eventId === d.eventId)) return;
    this.#rows.push({
      id: this.#rows.length + 1,
      webhookId: d.webhookId,
      eventId: d.eventId,
      body: d.body,
      status: "pending",
      failedAttempts: 0,
      firstFailedAtMs: null,
      nextAttemptAtMs: d.createdAtMs,
      leaseUntilMs: null,
      lastError: null,
      deliveredAtMs: null,
    });
  }

  async claimDue(nowMs: number, limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]> {
    this.calls.claimDue++;
    const due = this.#rows
      .filter(
        (r) =>
          r.status === "pending" &&
          r.nextAttemptAtMs <= nowMs &&
          (r.leaseUntilMs === null || r.leaseUntilMs <= nowMs),
      )
      .sort((a, b) => a.nextAttemptAtMs - b.nextAttemptAtMs || a.id - b.id)
      .slice(0, Math.max(0, limit));
    return due.map((r) => {
      r.leaseUntilMs = nowMs + leaseMs;
      return {
        id: r.id,
        leaseUntilMs: r.leaseUntilMs,
        webhookId: r.webhookId,
        eventId: r.eventId,
        body: r.body,
        failedAttempts: r.failedAttempts,
        firstFailedAtMs: r.firstFailedAtMs,
      };
    });
  }

  async markDelivered(claim: WebhookClaim, atMs: number): Promise<void> {
    this.calls.markDelivered++;
    const r = this.#find(claim.id);
    if (r?.status !== "pending") return;
    r.status = "delivered";
    r.deliveredAtMs = atMs;
    r.leaseUntilMs = null;
    r.lastError = null;
  }

  async markFailed(claim: WebhookClaim, failure: WebhookFailure): Promise<void> {
    this.calls.markFailed++;
    const r = this.#find(claim.id);
    if (r?.status !== "pending" || r.leaseUntilMs !== claim.leaseUntilMs) return;
    r.failedAttempts++;
    r.firstFailedAtMs ??= failure.atMs;
    r.lastError = failure.error;
    r.leaseUntilMs = null;
    if (failure.nextAttemptAtMs === undefined) r.status = "given_up";
    else r.nextAttemptAtMs = failure.nextAttemptAtMs;
  }

  async releaseLeases(): Promise<number> {
    this.calls.releaseLeases++;
    const leased = this.#rows.filter((r) => r.status === "pending" && r.leaseUntilMs !== null);
    for (const r of leased) r.leaseUntilMs = null;
    return leased.length;
  }

  /** A copy of every stored delivery, for assertions. */
  snapshot(): StoredDelivery[] {
    return this.#rows.map((r) => ({ ...r }));
  }

  #find(id: number): StoredDelivery | undefined {
    return this.#rows.find((r) => r.id === id);
  }
}
