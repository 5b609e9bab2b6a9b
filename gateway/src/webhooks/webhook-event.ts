/** The body of a webhook delivery (spec/gateway-api.md § Webhooks). */

import type { WebhookEventType } from "@spar/protocol";

export interface WebhookEvent {
  /** Unique per event; sent again as `Spar-Event-Id` so receivers can drop repeats. */
  id: string;
  type: WebhookEventType;
  /** ISO 8601 UTC. */
  created_at: string;
  /** The run or test run, as the API returns it. */
  data: Record<string, unknown>;
}

export interface BuiltEvent {
  event: WebhookEvent;
  /** The JSON text to store at enqueue and send, unchanged, on every attempt. */
  body: string;
}

/**
 * Builds the envelope and serializes it once. The body is frozen here, not at send time, so a
 * retry carries the same bytes (and signs to the same MAC for the same `t`) even if the run
 * it describes is edited later.
 */
export function buildEvent(input: {
  id: string;
  type: WebhookEventType;
  /** Epoch milliseconds. */
  createdAtMs: number;
  data: Record<string, unknown>;
}): BuiltEvent {
  const event: WebhookEvent = {
    id: input.id,
    type: input.type,
    created_at: new Date(input.createdAtMs).toISOString(),
    data: input.data,
  };
  return { event, body: JSON.stringify(event) };
}
