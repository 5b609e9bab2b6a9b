/**
 * The behaviour every `WebhookQueue` must have, as one suite to run against each adapter
 * (the in-memory fake here; the drizzle adapter on libSQL and D1). Only the port is used, so a
 * failure here means the deliverer's guarantees (no double claim, crash recovery by lease, a
 * stale worker cannot undo a newer outcome) do not hold on that adapter.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewWebhookDelivery, WebhookQueue } from "./webhook-queue.ts";

export interface OpenedQueue {
  queue: WebhookQueue;
  close?: () => Promise<void> | void;
}

const LEASE = 60_000;

function delivery(eventId: string, createdAtMs = 1_000, webhookId = 1): NewWebhookDelivery {
  return {
    webhookId,
    eventId,
    type: "run.finished",
    body: JSON.stringify({ id: eventId, data: { name: "café ☕" } }),
    createdAtMs,
  };
}

export function webhookQueueContract(name: string, open: () => Promise<OpenedQueue>): void {
  describe(`WebhookQueue contract: ${name}`, () => {
    let opened: OpenedQueue;
    let q: WebhookQueue;
    beforeEach(async () => {
      opened = await open();
      q = opened.queue;
    });
    afterEach(async () => {
      await opened.close?.();
    });

    it("makes a new delivery due at its creation time, with its body unchanged", async () => {
      await q.enqueue(delivery("evt_1", 1_000));
      expect(await q.claimDue(999, 10, LEASE)).toEqual([]);
      expect(await q.claimDue(1_000, 10, LEASE)).toEqual([
        {
          id: expect.any(Number),
          leaseUntilMs: 61_000,
          webhookId: 1,
          eventId: "evt_1",
          body: '{"id":"evt_1","data":{"name":"café ☕"}}',
          failedAttempts: 0,
          firstFailedAtMs: null,
        },
      ]);
    });

    it("ignores a second enqueue of the same event for the same webhook, not for another webhook", async () => {
      await q.enqueue(delivery("evt_1", 1_000, 1));
      await q.enqueue(delivery("evt_1", 1_000, 1));
      await q.enqueue(delivery("evt_1", 1_000, 2));
      const claimed = await q.claimDue(1_000, 10, LEASE);
      expect(claimed.map((d) => [d.webhookId, d.eventId])).toEqual([
        [1, "evt_1"],
        [2, "evt_1"],
      ]);
    });

    it("claims earliest due first, at most `limit`", async () => {
      await q.enqueue(delivery("late", 3_000));
      await q.enqueue(delivery("early", 1_000));
      await q.enqueue(delivery("middle", 2_000));
      expect((await q.claimDue(5_000, 2, LEASE)).map((d) => d.eventId)).toEqual(["early", "middle"]);
      expect((await q.claimDue(5_000, 2, LEASE)).map((d) => d.eventId)).toEqual(["late"]);
    });

    it("never gives one delivery to two concurrent claims", async () => {
      for (let i = 0; i < 5; i++) await q.enqueue(delivery(`evt_${i}`));
      const claims = await Promise.all([1, 2, 3, 4].map(() => q.claimDue(1_000, 2, LEASE)));
      const ids = claims.flat().map((d) => d.eventId);
      expect(ids.sort()).toEqual(["evt_0", "evt_1", "evt_2", "evt_3", "evt_4"]);
    });

    it("makes a claimed delivery that was never finished due again once its lease has passed", async () => {
      await q.enqueue(delivery("evt_1"));
      const [first] = await q.claimDue(1_000, 1, LEASE);
      expect(await q.claimDue(60_999, 1, LEASE)).toEqual([]);
      const [again] = await q.claimDue(61_000, 1, LEASE);
      expect(again).toMatchObject({ id: first!.id, leaseUntilMs: 121_000, failedAttempts: 0 });
    });

    it("schedules a failed delivery for its next attempt and counts the failure", async () => {
      await q.enqueue(delivery("evt_1"));
      const [d] = await q.claimDue(1_000, 1, LEASE);
      await q.markFailed(d!, { atMs: 1_500, error: "HTTP 500: boom", nextAttemptAtMs: 20_000 });
      expect(await q.claimDue(19_999, 1, LEASE)).toEqual([]);
      const [retry] = await q.claimDue(20_000, 1, LEASE);
      expect(retry).toMatchObject({ failedAttempts: 1, firstFailedAtMs: 1_500, leaseUntilMs: 80_000 });
      await q.markFailed(retry!, { atMs: 20_100, error: "HTTP 502", nextAttemptAtMs: 30_000 });
      const [third] = await q.claimDue(30_000, 1, LEASE);
      expect(third).toMatchObject({ failedAttempts: 2, firstFailedAtMs: 1_500 });
    });

    it("never claims a delivery again once it is given up", async () => {
      await q.enqueue(delivery("evt_1"));
      const [d] = await q.claimDue(1_000, 1, LEASE);
      await q.markFailed(d!, { atMs: 1_500, error: "HTTP 500", nextAttemptAtMs: undefined });
      expect(await q.claimDue(Number.MAX_SAFE_INTEGER, 10, LEASE)).toEqual([]);
    });

    it("never claims a delivered delivery again, and a late failure report does not revive it", async () => {
      await q.enqueue(delivery("evt_1"));
      const [d] = await q.claimDue(1_000, 1, LEASE);
      await q.markDelivered(d!, 1_200);
      await q.markFailed(d!, { atMs: 1_300, error: "HTTP 500", nextAttemptAtMs: 2_000 });
      expect(await q.claimDue(Number.MAX_SAFE_INTEGER - LEASE, 10, LEASE)).toEqual([]);
    });

    it("ignores a failure reported under a claim that was superseded after its lease ran out", async () => {
      await q.enqueue(delivery("evt_1"));
      const [stale] = await q.claimDue(1_000, 1, LEASE);
      const [fresh] = await q.claimDue(61_000, 1, LEASE);
      await q.markFailed(stale!, { atMs: 61_500, error: "timed out", nextAttemptAtMs: 62_000 });
      // The stale report changed nothing: the fresh claim still holds the delivery...
      expect(await q.claimDue(62_000, 1, LEASE)).toEqual([]);
      // ...and its own outcome still applies.
      await q.markFailed(fresh!, { atMs: 61_600, error: "HTTP 503", nextAttemptAtMs: 70_000 });
      expect(await q.claimDue(70_000, 1, LEASE)).toMatchObject([
        { failedAttempts: 1, firstFailedAtMs: 61_600 },
      ]);
    });

    it("frees a claim at release for the next claim at once, and keeps a scheduled retry's time", async () => {
      await q.enqueue(delivery("in_flight"));
      await q.enqueue(delivery("retrying"));
      const [inFlight, retrying] = await q.claimDue(1_000, 2, LEASE);
      await q.markFailed(retrying!, { atMs: 1_100, error: "HTTP 500", nextAttemptAtMs: 20_000 });
      expect(await q.claimDue(2_000, 10, LEASE)).toEqual([]);
      expect(await q.releaseLeases()).toBe(1);
      const [again] = await q.claimDue(2_000, 10, LEASE);
      expect(again).toMatchObject({
        id: inFlight!.id,
        eventId: "in_flight",
        leaseUntilMs: 62_000,
        failedAttempts: 0,
      });
      expect(await q.claimDue(19_999, 10, LEASE)).toEqual([]);
      expect(await q.claimDue(20_000, 10, LEASE)).toMatchObject([{ eventId: "retrying", failedAttempts: 1 }]);
    });

    it("ignores a failure reported under a claim freed by a release", async () => {
      await q.enqueue(delivery("evt_1"));
      const [stale] = await q.claimDue(1_000, 1, LEASE);
      await q.releaseLeases();
      await q.markFailed(stale!, { atMs: 1_500, error: "HTTP 500", nextAttemptAtMs: 30_000 });
      expect(await q.claimDue(2_000, 1, LEASE)).toMatchObject([{ failedAttempts: 0, firstFailedAtMs: null }]);
    });

    it("frees nothing at release when no delivery is claimed, delivered ones included", async () => {
      await q.enqueue(delivery("delivered"));
      await q.enqueue(delivery("waiting", 5_000));
      const [d] = await q.claimDue(1_000, 10, LEASE);
      await q.markDelivered(d!, 1_200);
      expect(await q.releaseLeases()).toBe(0);
      expect(await q.claimDue(4_999, 10, LEASE)).toEqual([]);
      expect(await q.claimDue(5_000, 10, LEASE)).toMatchObject([{ eventId: "waiting" }]);
    });

    it("accepts a success reported under a superseded claim", async () => {
      await q.enqueue(delivery("evt_1"));
      const [stale] = await q.claimDue(1_000, 1, LEASE);
      await q.claimDue(61_000, 1, LEASE);
      await q.markDelivered(stale!, 61_500);
      expect(await q.claimDue(Number.MAX_SAFE_INTEGER - LEASE, 10, LEASE)).toEqual([]);
    });
  });
}
