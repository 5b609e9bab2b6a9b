import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import {
  claimDueDeliveries,
  createWebhook,
  deleteWebhook,
  enqueueDelivery,
  getDelivery,
  getWebhooksForEvent,
  listWebhooks,
  markDeliveryDead,
  markDeliveryDelivered,
  nextDeliveryDueAtMs,
  scheduleDeliveryRetry,
  type WebhookRecord,
} from "./webhooks.ts";

const SECRET = { ciphertext: "ct", keyId: "k1" };

let t: TwoWorkspaces;
let hook: WebhookRecord;
beforeEach(async () => {
  t = await openTwoWorkspaces();
  hook = await createWebhook(
    t.db,
    t.a,
    { url: "https://hooks.example.com/spar", events: ["run.finished"], secret: SECRET },
    1,
  );
});
afterEach(() => t.storage.dispose());

function delivery(eventId: string, nowMs: number) {
  return { webhookId: hook.id, eventId, type: "run.finished" as const, body: `{"id":"${eventId}"}`, nowMs };
}

describe("webhooks", () => {
  it("stores an endpoint with its sealed secret and finds it by event type", async () => {
    expect(hook).toEqual({
      id: 1,
      workspaceId: t.a,
      url: "https://hooks.example.com/spar",
      events: ["run.finished"],
      secret: SECRET,
      createdAtMs: 1,
    });
    const both = await createWebhook(
      t.db,
      t.a,
      { url: "https://x.example.com", events: ["test_run.finished", "run.finished"], secret: SECRET },
      2,
    );
    expect((await getWebhooksForEvent(t.db, t.a, "run.finished")).map((w) => w.id)).toEqual([
      hook.id,
      both.id,
    ]);
    expect((await getWebhooksForEvent(t.db, t.a, "test_run.finished")).map((w) => w.id)).toEqual([both.id]);
    expect(await getWebhooksForEvent(t.db, t.b, "run.finished")).toEqual([]);
    expect((await listWebhooks(t.db, t.a, { limit: 10 })).rows.map((w) => w.id)).toEqual([both.id, hook.id]);
  });

  it("enqueues an event once per webhook, due at once", async () => {
    expect(await enqueueDelivery(t.db, t.a, delivery("evt_1", 100))).toBe(true);
    expect(await enqueueDelivery(t.db, t.a, delivery("evt_1", 101))).toBe(true);
    expect(await nextDeliveryDueAtMs(t.db)).toBe(100);
    const claimed = await claimDueDeliveries(t.db, { nowMs: 100, leaseMs: 30_000, limit: 10 });
    expect(claimed.map((d) => [d.eventId, d.attempts, d.body])).toEqual([["evt_1", 1, '{"id":"evt_1"}']]);
  });

  it("never hands the same delivery to two concurrent claimers", async () => {
    for (let i = 0; i < 7; i++) await enqueueDelivery(t.db, t.a, delivery(`evt_${i}`, 100 + i));
    const claims = await Promise.all(
      [1, 2, 3].map(() => claimDueDeliveries(t.db, { nowMs: 200, leaseMs: 30_000, limit: 3 })),
    );
    const ids = claims.flat().map((d) => d.id);
    expect(ids.length).toBe(7);
    expect(new Set(ids).size).toBe(7);
    expect(await claimDueDeliveries(t.db, { nowMs: 200, leaseMs: 30_000, limit: 10 })).toEqual([]);
  });

  it("claims only what is due, and a lease that ran out makes a delivery claimable again", async () => {
    await enqueueDelivery(t.db, t.a, delivery("evt_1", 100));
    expect(await claimDueDeliveries(t.db, { nowMs: 99, leaseMs: 30_000, limit: 10 })).toEqual([]);
    await claimDueDeliveries(t.db, { nowMs: 100, leaseMs: 30_000, limit: 10 });
    expect(await nextDeliveryDueAtMs(t.db)).toBe(30_100);
    expect(await claimDueDeliveries(t.db, { nowMs: 30_099, leaseMs: 30_000, limit: 10 })).toEqual([]);
    const again = await claimDueDeliveries(t.db, { nowMs: 30_100, leaseMs: 30_000, limit: 10 });
    expect(again.map((d) => d.attempts)).toEqual([2]);
  });

  it("retries at the scheduled time, then delivers or gives up for good", async () => {
    await enqueueDelivery(t.db, t.a, delivery("evt_1", 100));
    await enqueueDelivery(t.db, t.a, delivery("evt_2", 100));
    const [d1, d2] = await claimDueDeliveries(t.db, { nowMs: 100, leaseMs: 30_000, limit: 10 });
    await scheduleDeliveryRetry(t.db, d1?.id ?? 0, { nextAttemptAtMs: 5_000, error: "HTTP 500" });
    await markDeliveryDead(t.db, d2?.id ?? 0, "gave up after 24 h");
    expect(await getDelivery(t.db, t.a, d1?.id ?? 0)).toMatchObject({
      status: "pending",
      nextAttemptAtMs: 5_000,
      leasedUntilMs: null,
      lastError: "HTTP 500",
    });
    expect(await nextDeliveryDueAtMs(t.db)).toBe(5_000);
    const retried = await claimDueDeliveries(t.db, { nowMs: 5_000, leaseMs: 30_000, limit: 10 });
    expect(retried.map((d) => [d.id, d.attempts])).toEqual([[d1?.id, 2]]);
    await markDeliveryDelivered(t.db, d1?.id ?? 0, 5_001);
    expect(await getDelivery(t.db, t.a, d1?.id ?? 0)).toMatchObject({
      status: "delivered",
      deliveredAtMs: 5_001,
      lastError: null,
    });
    expect(await getDelivery(t.db, t.a, d2?.id ?? 0)).toMatchObject({
      status: "dead",
      lastError: "gave up after 24 h",
    });
    expect(await nextDeliveryDueAtMs(t.db)).toBeUndefined();
    expect(await claimDueDeliveries(t.db, { nowMs: 1e12, leaseMs: 30_000, limit: 10 })).toEqual([]);
  });

  it("drops a webhook's queued deliveries with it", async () => {
    await enqueueDelivery(t.db, t.a, delivery("evt_1", 100));
    expect(await deleteWebhook(t.db, t.a, hook.id)).toBe(true);
    expect(await deleteWebhook(t.db, t.a, hook.id)).toBe(false);
    expect(await claimDueDeliveries(t.db, { nowMs: 1e12, leaseMs: 30_000, limit: 10 })).toEqual([]);
    expect(await enqueueDelivery(t.db, t.a, delivery("evt_2", 100))).toBe(false);
  });
});
