import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryWebhookQueue } from "./memory-webhook-queue.fixture.ts";
import { maxAttempts, type RetryPolicy } from "./retry-schedule.ts";
import {
  createWebhookDeliverer,
  ERROR_BODY_BYTES,
  type WebhookDelivererOptions,
} from "./webhook-deliverer.ts";
import { buildEvent } from "./webhook-event.ts";
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./webhook-receiver.fixture.ts";
import { verifyWebhookSignature } from "./webhook-signature.ts";

const SECRET = "whsec_deliverer_test";
const T0 = 1_700_000_000_000;
const EVENT = buildEvent({
  id: "evt_42",
  type: "run.finished",
  createdAtMs: T0,
  data: { id: 7, status: "passed", note: "naïve ☕" },
});

let receiver: WebhookReceiver;
let queue: MemoryWebhookQueue;
let nowMs: number;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  queue = new MemoryWebhookQueue();
  nowMs = T0;
});

afterEach(async () => {
  await receiver.close();
});

function deliverer(overrides: Partial<WebhookDelivererOptions> = {}) {
  return createWebhookDeliverer({
    queue,
    targets: async (webhookId) => (webhookId === 1 ? { url: receiver.url, secret: SECRET } : undefined),
    fetch: (url, init) => fetch(url, init),
    now: () => nowMs,
    random: () => 0.5,
    timeoutMs: 1_000,
    ...overrides,
  });
}

async function enqueue(eventId = EVENT.event.id, body = EVENT.body, webhookId = 1) {
  await queue.enqueue({ webhookId, eventId, type: "run.finished", body, createdAtMs: nowMs });
}

async function expectSigned(request: ReceivedRequest, atMs: number) {
  const header = request.headers["spar-signature"];
  expect(typeof header).toBe("string");
  const check = await verifyWebhookSignature(SECRET, header as string, request.body, atMs / 1000, 300);
  expect(check).toEqual({ ok: true, timestampS: atMs / 1000 });
}

describe("createWebhookDeliverer", () => {
  it("delivers on 200 a POST of the stored body, with a signature the receiver verifies", async () => {
    await enqueue();
    expect(await deliverer().tick()).toEqual({ delivered: 1, retrying: 0, givenUp: 0 });

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.method).toBe("POST");
    expect(request!.path).toBe("/hook");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["spar-event-id"]).toBe("evt_42");
    expect(request!.body.equals(Buffer.from(EVENT.body, "utf8"))).toBe(true);
    expect(JSON.parse(request!.body.toString("utf8"))).toEqual({
      id: "evt_42",
      type: "run.finished",
      created_at: "2023-11-14T22:13:20.000Z",
      data: { id: 7, status: "passed", note: "naïve ☕" },
    });
    await expectSigned(request!, T0);
    expect(queue.snapshot()).toMatchObject([{ status: "delivered", deliveredAtMs: T0, failedAttempts: 0 }]);
  });

  it("retries a 500 at the scheduled time with the same event id and body bytes, then delivers", async () => {
    receiver.script.push({ status: 500, body: "database is down" });
    await enqueue();
    const d = deliverer();

    expect(await d.tick()).toEqual({ delivered: 0, retrying: 1, givenUp: 0 });
    // random 0.5 puts the first retry in the middle of the first 30 s window.
    expect(queue.snapshot()).toMatchObject([
      {
        status: "pending",
        failedAttempts: 1,
        firstFailedAtMs: T0,
        nextAttemptAtMs: T0 + 15_000,
        lastError: "HTTP 500: database is down",
      },
    ]);
    nowMs = T0 + 14_999;
    expect(await d.tick()).toEqual({ delivered: 0, retrying: 0, givenUp: 0 });
    nowMs = T0 + 15_000;
    expect(await d.tick()).toEqual({ delivered: 1, retrying: 0, givenUp: 0 });

    const [first, second] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect(second!.headers["spar-event-id"]).toBe(first!.headers["spar-event-id"]);
    expect(second!.body.equals(first!.body)).toBe(true);
    // Each attempt is signed at its own time, so a receiver's replay window accepts the retry.
    await expectSigned(first!, T0);
    await expectSigned(second!, T0 + 15_000);
    expect(queue.snapshot()).toMatchObject([
      { status: "delivered", deliveredAtMs: T0 + 15_000, lastError: null },
    ]);
  });

  it("ends an attempt on a receiver that hangs at the timeout and retries it", async () => {
    receiver.script.push({ hang: true });
    await enqueue();
    const d = deliverer({ timeoutMs: 150 });
    expect(await d.tick()).toEqual({ delivered: 0, retrying: 1, givenUp: 0 });
    expect(queue.snapshot()).toMatchObject([{ lastError: "timed out after 150 ms", failedAttempts: 1 }]);

    nowMs = T0 + 15_000;
    expect(await d.tick()).toEqual({ delivered: 1, retrying: 0, givenUp: 0 });
    expect(receiver.received).toHaveLength(2);
  });

  it("does not follow a 302 and counts it as a failure", async () => {
    receiver.script.push({ status: 302, headers: { Location: `${receiver.url}/elsewhere` } });
    await enqueue();
    expect(await deliverer().tick()).toEqual({ delivered: 0, retrying: 1, givenUp: 0 });
    expect(receiver.received.map((r) => r.path)).toEqual(["/hook"]);
    expect(queue.snapshot()).toMatchObject([
      { status: "pending", lastError: "HTTP 302: redirects are not followed", nextAttemptAtMs: T0 + 15_000 },
    ]);
  });

  it("keeps only the first 4 KiB of an error answer", async () => {
    receiver.script.push({ status: 503, body: "x".repeat(3 * ERROR_BODY_BYTES) });
    await enqueue();
    await deliverer().tick();
    expect(queue.snapshot()[0]!.lastError).toBe(`HTTP 503: ${"x".repeat(4_096)}`);
  });

  it("records a refused connection as a failure to retry", async () => {
    const port = new URL(receiver.url).port;
    await receiver.close();
    await enqueue();
    expect(await deliverer().tick()).toEqual({ delivered: 0, retrying: 1, givenUp: 0 });
    expect(queue.snapshot()[0]!.lastError).toBe(
      `request failed: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    receiver = await startWebhookReceiver();
  });

  it("gives up after the policy's last attempt", async () => {
    const policy: RetryPolicy = { firstWindowMs: 1_000, maxWindowMs: 1_000, retryForMs: 2_000 };
    receiver.script.push(...Array.from({ length: 10 }, () => ({ status: 500 })));
    await enqueue();
    const d = deliverer({ retryPolicy: policy, random: () => 1 });
    const reports = [];
    for (let i = 0; i < 5; i++) {
      reports.push(await d.tick());
      nowMs += 1_000;
    }
    expect(reports).toEqual([
      { delivered: 0, retrying: 1, givenUp: 0 },
      { delivered: 0, retrying: 1, givenUp: 0 },
      { delivered: 0, retrying: 1, givenUp: 0 },
      { delivered: 0, retrying: 0, givenUp: 1 },
      { delivered: 0, retrying: 0, givenUp: 0 },
    ]);
    expect(receiver.received).toHaveLength(maxAttempts(policy));
    expect(receiver.received).toHaveLength(4);
    expect(queue.snapshot()).toMatchObject([
      { status: "given_up", failedAttempts: 4, lastError: "HTTP 500" },
    ]);
  });

  it("gives a delivery up without a request when its webhook was deleted", async () => {
    await enqueue("evt_gone", EVENT.body, 99);
    expect(await deliverer().tick()).toEqual({ delivered: 0, retrying: 0, givenUp: 1 });
    expect(receiver.received).toHaveLength(0);
    expect(queue.snapshot()).toMatchObject([{ status: "given_up", lastError: "webhook deleted" }]);
  });

  it("never has more attempts in flight than its concurrency, and one tick drains them all", async () => {
    for (let i = 0; i < 7; i++) {
      receiver.script.push({ status: 200, delayMs: 30 });
      await enqueue(`evt_${i}`);
    }
    expect(await deliverer({ concurrency: 3 }).tick()).toEqual({ delivered: 7, retrying: 0, givenUp: 0 });
    expect(receiver.maxInFlight).toBe(3);
    expect(receiver.received.map((r) => r.headers["spar-event-id"]).sort()).toEqual(
      ["evt_0", "evt_1", "evt_2", "evt_3", "evt_4", "evt_5", "evt_6"].sort(),
    );
  });

  it("runs overlapping ticks one after another, sending each delivery once", async () => {
    for (let i = 0; i < 4; i++) {
      receiver.script.push({ status: 200, delayMs: 20 });
      await enqueue(`evt_${i}`);
    }
    const d = deliverer({ concurrency: 2 });
    const reports = await Promise.all([d.tick(), d.tick(), d.tick()]);
    expect(reports.map((r) => r.delivered)).toEqual([4, 0, 0]);
    expect(receiver.received).toHaveLength(4);
    expect(receiver.maxInFlight).toBe(2);
  });
});
