import type { PendingDelivery } from "./outbox-store.ts";

/** What one attempt came to; the deliverer turns it into delivered, retry or dead. */
export type SendOutcome =
  | { kind: "delivered" }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "permanent"; error: string };

/** The port the deliverer sends through; `http-delivery-sender.ts` is the real one. */
export interface DeliverySender {
  send(delivery: PendingDelivery, signal: AbortSignal): Promise<SendOutcome>;
}
