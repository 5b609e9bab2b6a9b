import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryWebhookQueue } from "./memory-webhook-queue.fixture.ts";
import {
  createWebhookDeliverer,
  type WebhookDeliverer,
  type WebhookDelivererOptions,
  type WebhookLog,
} from "./webhook-deliverer.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.fixture.ts";

const T0 = 1_700_000_000_000;

let receiver: WebhookReceiver;
let queue: MemoryWebhookQueue;
let nowMs: number;
const running: WebhookDeliverer[] = [];

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  queue = new MemoryWebhookQueue();
  nowMs = T0;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  await receiver.close();
});

function deliverer(log?: WebhookLog, overrides: Partial<WebhookDelivererOptions> = {}) {
  const d = createWebhookDeliverer({
    queue,
    targets: async () => ({ url: receiver.url, secret: "whsec_lifecycle" }),
    fetch: (url, init) => fetch(url, init),
    now: () => nowMs,
    random: () => 0,
    timeoutMs: 1_000,
    leaseMs: 5_000,
    pollIntervalMs: 10,
    ...(log ? { log } : {}),
    ...overrides,
  });
  running.push(d);
  return d;
}

async function enqueue(eventId: string) {
  await queue.enqueue({
    webhookId: 1,
    eventId,
    type: "run.finished",
    body: JSON.stringify({ id: eventId }),
    createdAtMs: nowMs,
  });
}

/** Polls a condition on the real clock; the deliverer's own timer is what makes it true. */
async function until(condition: () => boolean, what: string, limitMs = 1_500): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const statusOf = (eventId: string) => queue.snapshot().find((r) => r.eventId === eventId)?.status;

describe("webhook deliverer lifecycle", () => {
  it("sends what is due as soon as it starts, then keeps polling for new deliveries", async () => {
    await enqueue("evt_before");
    deliverer().start();
    await until(() => statusOf("evt_before") === "delivered", "the delivery enqueued before start");
    await enqueue("evt_after");
    await until(() => statusOf("evt_after") === "delivered", "the delivery enqueued while running");
    expect(receiver.received.map((r) => r.headers["spar-event-id"])).toEqual(["evt_before", "evt_after"]);
  });

  it("a deliverer restarted on the same queue resumes the retries the stopped one scheduled", async () => {
    receiver.script.push({ status: 500 }, { status: 500 });
    await enqueue("evt_1");
    const first = deliverer();
    first.start();
    // random 0: the first retry is due at once, the second 30 s after the first failure.
    await until(() => queue.snapshot()[0]!.failedAttempts === 2, "two failed attempts");
    await first.stop();
    expect(queue.snapshot()).toMatchObject([{ status: "pending", nextAttemptAtMs: T0 + 30_000 }]);

    nowMs = T0 + 30_000;
    deliverer().start();
    await until(() => statusOf("evt_1") === "delivered", "the restarted deliverer to deliver");
    const ids = receiver.received.map((r) => r.headers["spar-event-id"]);
    expect(ids).toEqual(["evt_1", "evt_1", "evt_1"]);
    expect(new Set(receiver.received.map((r) => r.body.toString("utf8")))).toEqual(
      new Set(['{"id":"evt_1"}']),
    );
  });

  it("sends a delivery claimed by a worker that died once the dead worker's lease has run out", async () => {
    await enqueue("evt_orphan");
    // A worker claims it and dies before sending or recording anything.
    const [orphan] = await queue.claimDue(nowMs, 1, 5_000);
    expect(orphan!.leaseUntilMs).toBe(T0 + 5_000);

    const d = deliverer();
    expect(await d.tick()).toEqual({ delivered: 0, retrying: 0, givenUp: 0 });
    nowMs = T0 + 4_999;
    expect(await d.tick()).toEqual({ delivered: 0, retrying: 0, givenUp: 0 });
    nowMs = T0 + 5_000;
    expect(await d.tick()).toEqual({ delivered: 1, retrying: 0, givenUp: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it("finishes the attempts in flight before stop resolves, and claims nothing after", async () => {
    receiver.script.push({ status: 200, delayMs: 100 });
    await enqueue("evt_slow");
    const d = deliverer();
    d.start();
    await until(() => receiver.received.length === 1, "the slow request to arrive");
    await enqueue("evt_late");
    await d.stop();
    expect(statusOf("evt_slow")).toBe("delivered");
    expect(await d.tick()).toEqual({ delivered: 0, retrying: 0, givenUp: 0 });
    expect(statusOf("evt_late")).toBe("pending");
  });

  it("sends a delivery enqueued while another attempt hangs without waiting for that timeout", async () => {
    receiver.script.push({ hang: true });
    await enqueue("evt_hangs");
    const d = deliverer(undefined, { timeoutMs: 600 });
    const tick = d.tick();
    await until(() => receiver.received.length === 1, "the hanging request");
    await enqueue("evt_quick");
    await until(() => statusOf("evt_quick") === "delivered", "the second delivery", 400);
    expect(statusOf("evt_hangs")).toBe("pending");
    // random 0 makes the timed-out delivery's first retry due at once; the same tick sends it.
    expect(await tick).toEqual({ delivered: 2, retrying: 1, givenUp: 0 });
    expect(statusOf("evt_hangs")).toBe("delivered");
  });

  it("looks at once when woken instead of waiting for the next poll", async () => {
    const d = deliverer(undefined, { pollIntervalMs: 60_000 });
    d.start();
    await until(() => queue.calls.claimDue === 1, "the first poll");
    await enqueue("evt_1");
    d.wake();
    await until(() => statusOf("evt_1") === "delivered", "the woken delivery", 500);
  });

  it("logs a queue that fails and keeps polling", async () => {
    const events: string[] = [];
    const claimDue = queue.claimDue.bind(queue);
    let failures = 2;
    queue.claimDue = async (...args) => {
      if (failures-- > 0) throw new Error("database is locked");
      return claimDue(...args);
    };
    await enqueue("evt_1");
    deliverer((event, fields) => events.push(`${event} ${fields.error ?? ""}`.trim())).start();
    await until(() => statusOf("evt_1") === "delivered", "delivery after the queue recovers");
    expect(events).toEqual([
      "webhook_tick_error database is locked",
      "webhook_tick_error database is locked",
      "webhook_delivered",
    ]);
  });
});
