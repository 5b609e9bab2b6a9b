export { DbWebhookQueue, dbWebhookTargets } from "./db-webhook-queue.ts";
export { maxAttempts, nextAttemptAt, type RetryPolicy, WEBHOOK_RETRY_POLICY } from "./retry-schedule.ts";
export {
  createWebhookDeliverer,
  ERROR_BODY_BYTES,
  type OutboundFetch,
  type TickReport,
  type WebhookDeliverer,
  type WebhookDelivererOptions,
  type WebhookLog,
  type WebhookTarget,
  type WebhookTargetLookup,
} from "./webhook-deliverer.ts";
export {
  type BuiltEvent,
  buildEvent,
  type WebhookEvent,
} from "./webhook-event.ts";
export type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookClaim,
  WebhookFailure,
  WebhookQueue,
} from "./webhook-queue.ts";
export {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  type SignatureCheck,
  type SignatureRefusal,
  signWebhook,
  timingSafeEqual,
  verifyWebhookSignature,
} from "./webhook-signature.ts";
