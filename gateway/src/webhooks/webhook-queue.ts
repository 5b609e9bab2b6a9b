/**
 * The port the webhook deliverer drains. The drizzle adapter (tables `webhooks`,
 * `webhook_deliveries`) implements it for Node and Workers; `memory-webhook-queue.fixture.ts`
 * is the test fake; `webhook-queue.contract.ts` is the suite every implementation must pass.
 * Times are epoch milliseconds, always passed in (the queue reads no clock).
 */
import type { WebhookEventType } from "@spar/protocol";

export interface NewWebhookDelivery {
  webhookId: number;
  eventId: string;
  /** The event's type, as in the body; stored beside it so an operator can filter the queue. */
  type: WebhookEventType;
  /** The exact JSON text of the event; every attempt sends these bytes (UTF-8), unchanged. */
  body: string;
  /** Enqueue time; the first attempt is due then. */
  createdAtMs: number;
}

/** Identifies one claim of a delivery; `markFailed` only applies while that claim still holds. */
export interface WebhookClaim {
  id: number;
  /**
   * The claim's lease end. Strictly greater on every later claim (after the lease ran out, or
   * after `releaseLeases` in a later process), so it doubles as a claim token.
   */
  leaseUntilMs: number;
}

export interface ClaimedWebhookDelivery extends WebhookClaim {
  webhookId: number;
  eventId: string;
  body: string;
  /** Attempts that failed before this one (0 on the first attempt). */
  failedAttempts: number;
  /** When the first attempt failed (the retry schedule's anchor); null until then. */
  firstFailedAtMs: number | null;
}

export interface WebhookFailure {
  /** When the attempt ended. Becomes `firstFailedAtMs` if this is the first failure. */
  atMs: number;
  /** Kept as the delivery's `last_error`: status and a bounded excerpt of the answer, or the network error. */
  error: string;
  /** When to try again; `undefined` gives the delivery up (never claimed again). */
  nextAttemptAtMs: number | undefined;
}

export interface WebhookQueue {
  /**
   * Stores a pending delivery due at `createdAtMs`. Idempotent on (webhookId, eventId): a repeated
   * enqueue of the same event for the same webhook is a no-op, so a retried "run finished"
   * handler cannot send twice.
   */
  enqueue(delivery: NewWebhookDelivery): Promise<void>;
  /**
   * Atomically takes up to `limit` pending deliveries that are due (next attempt ≤ nowMs) and not
   * leased (no lease, or lease ≤ nowMs), earliest due first then lowest id, and leases each until
   * `nowMs + leaseMs`. Two claims — concurrent ticks, other processes — never return the same
   * delivery while its lease runs. A delivery whose worker died mid-attempt is due again once its
   * lease has passed: that is the crash recovery, so `leaseMs` must outlast one whole attempt.
   */
  claimDue(nowMs: number, limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]>;
  /**
   * Marks the delivery delivered (terminal) and clears its lease and error. Applies to a pending
   * delivery whatever its current lease: a success is a success even from an expired claim.
   * A no-op on a delivery already delivered or given up.
   */
  markDelivered(claim: WebhookClaim, atMs: number): Promise<void>;
  /**
   * Records a failed attempt: failedAttempts + 1, firstFailedAtMs set if unset, last_error, and
   * either the next due time (lease cleared) or, with `nextAttemptAtMs` undefined, given up
   * (terminal). Applies only if the delivery is still pending under this same claim
   * (same `leaseUntilMs`); otherwise — re-claimed after the lease ran out, or already delivered —
   * it is a no-op, so a slow worker cannot undo a newer outcome.
   */
  markFailed(claim: WebhookClaim, failure: WebhookFailure): Promise<void>;
  /**
   * Frees every claim at once: each leased pending delivery becomes claimable again at its own
   * due time (a scheduled retry keeps its time). Only for a deliverer that is the queue's sole
   * one, as it starts: any lease then belongs to a worker that is gone, and waiting out its lease
   * would hold that delivery back for the whole lease. Answers how many claims were freed.
   */
  releaseLeases(): Promise<number>;
}
