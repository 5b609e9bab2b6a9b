/** Webhook endpoints and the durable queue of deliveries to them. */

import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "@spar/protocol";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { workspaces } from "./tenants.ts";

export const DELIVERY_STATUSES = ["pending", "delivered", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const webhooks = sqliteTable(
  "webhooks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    url: text("url").notNull(),
    events: text("events_json", { mode: "json" }).$type<WebhookEventType[]>().notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    secretKeyId: text("secret_key_id").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [index("webhooks_workspace").on(t.workspaceId)],
);

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** Deleting a webhook drops its queue: nobody is left to deliver to. */
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    /** `Spar-Event-Id` and the body's `id`: the same on every retry. */
    eventId: text("event_id").notNull(),
    type: text("type", { enum: WEBHOOK_EVENT_TYPES }).notNull(),
    /** The exact bytes that are signed and sent, so every retry is byte-identical. */
    body: text("body").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    /** Attempts started (a claim counts one, so a crash mid-attempt is not free). */
    attempts: integer("attempts").notNull(),
    /** Attempts that ended in a failure answer or error; a claim whose worker died is not one. */
    failedAttempts: integer("failed_attempts").notNull().default(0),
    /** The retry schedule's anchor (retries run for 24 h from here); null until a first failure. */
    firstFailedAtMs: integer("first_failed_at_ms"),
    /** When the next attempt is due: at creation, then the retry schedule's time after a failure. */
    nextAttemptAtMs: integer("next_attempt_at_ms").notNull(),
    /**
     * The claim lease: set when a deliverer claims the row, cleared when it records the outcome.
     * Kept apart from `next_attempt_at_ms` so a starting deliverer can free a dead one's claims
     * without touching scheduled retries. Its value identifies the claim (strictly later each time).
     */
    leasedUntilMs: integer("leased_until_ms"),
    deliveredAtMs: integer("delivered_at_ms"),
    lastError: text("last_error"),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event").on(t.webhookId, t.eventId),
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAtMs),
  ],
);
