/**
 * The sidecar's only durable state (DESIGN.md: "stateless apart from an outbox"): final results
 * and the deliveries that carry them to the gateway. Times are epoch milliseconds.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A finished job's result, written in the same transaction as its delivery row. */
export const jobResults = sqliteTable("job_results", {
  runId: text("run_id").primaryKey(),
  resultJson: text("result_json").notNull(),
  createdAtMs: integer("created_at_ms").notNull(),
});

export const DELIVERY_STATUSES = ["pending", "delivered", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const outboxDeliveries = sqliteTable(
  "outbox_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Sent as `Idempotency-Key`; unique so a retried enqueue cannot create a second delivery. */
    idempotencyKey: text("idempotency_key").notNull().unique(),
    targetUrl: text("target_url").notNull(),
    /** The JSON part of the body. */
    payloadJson: text("payload_json").notNull(),
    /** Files sent as extra multipart parts: JSON array of {part, path, content_type, sha256}. */
    attachmentsJson: text("attachments_json").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull(),
    nextAttemptAtMs: integer("next_attempt_at_ms").notNull(),
    lastError: text("last_error"),
    createdAtMs: integer("created_at_ms").notNull(),
    deliveredAtMs: integer("delivered_at_ms"),
  },
  (t) => [index("outbox_due").on(t.status, t.nextAttemptAtMs)],
);
export type OutboxDeliveryRow = typeof outboxDeliveries.$inferSelect;
