/** The events a gateway webhook can subscribe to (docs: Webhooks). */
export const WEBHOOK_EVENT_TYPES = ["run.finished", "test_run.finished"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
