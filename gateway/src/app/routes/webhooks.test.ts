import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSecrets } from "../../security/find-secrets.ts";
import { DbWebhookQueue, dbWebhookTargets } from "../../webhooks/db-webhook-queue.ts";
import { createWebhookDeliverer } from "../../webhooks/webhook-deliverer.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../webhooks/webhook-receiver.fixture.ts";
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
} from "../../webhooks/webhook-signature.ts";
import { AGENT_SECRET, type RunsHarness, startRunsHarness } from "./runs-harness.fixture.ts";

let h: RunsHarness;
let receiver: WebhookReceiver;
const bodies: string[] = [];
const secrets: string[] = [AGENT_SECRET];

async function call(method: string, path: string, body?: unknown, key?: string) {
  const res = await h.call(method, path, body, key);
  bodies.push(JSON.stringify(res.body ?? null));
  return res;
}

beforeAll(async () => {
  h = await startRunsHarness();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  // Each secret is answered once, by its create; nothing else carries one.
  const creates = bodies.filter((b) => b.includes('"secret":"whsec_'));
  const others = bodies.filter((b) => !creates.includes(b));
  expect(others.flatMap((b) => findSecrets(b, secrets))).toEqual([]);
  await receiver.close();
  await h.close();
});

describe("webhook routes", () => {
  it("creates a webhook answering its secret once, lists and reads it without, and deletes it", async () => {
    const created = await call("POST", "/v1/webhooks", { url: receiver.url, events: ["run.finished"] });
    expect(created.status).toBe(201);
    const { id, secret } = created.body;
    secrets.push(secret);
    expect(created.body).toEqual({
      id,
      url: receiver.url,
      events: ["run.finished"],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9]{20,}$/),
      created_at: "2026-12-04T12:00:00.000Z",
    });
    const view = { id, url: receiver.url, events: ["run.finished"], created_at: "2026-12-04T12:00:00.000Z" };
    expect((await call("GET", `/v1/webhooks/${id}`)).body).toEqual(view);
    expect((await call("GET", "/v1/webhooks")).body).toEqual({ data: [view], next_cursor: null });
    expect((await call("GET", `/v1/webhooks/${id}`, undefined, h.b.apiKey)).status).toBe(404);
    expect((await call("DELETE", `/v1/webhooks/${id}`, undefined, h.b.apiKey)).status).toBe(404);
    expect((await call("GET", "/v1/webhooks", undefined, h.b.apiKey)).body.data).toEqual([]);
    expect((await call("DELETE", `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await call("DELETE", `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await call("GET", `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it("refuses a bad body, naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ url: receiver.url, events: ["run.finished"], extra: 1 }, "extra"],
      [{ url: receiver.url, events: [] }, "events: "],
      [{ url: receiver.url, events: ["run.started"] }, "events[0]: "],
      [{ url: receiver.url, events: ["run.finished", "run.finished"] }, "events: lists an event twice"],
      [
        { url: "http://10.0.0.7/hook", events: ["run.finished"] },
        "url: host 10.0.0.7 is a private address, refused by outbound policy loopback",
      ],
      [{ url: "ftp://example.com/hook", events: ["run.finished"] }, "url: "],
    ];
    for (const [body, message] of cases) {
      const res = await call("POST", "/v1/webhooks", body);
      expect([res.status, res.body.error.message]).toEqual([400, expect.stringContaining(message)]);
    }
  });
});

describe("webhook deliveries", () => {
  it("delivers run.finished for every run and test_run.finished once, signed, to a loopback receiver", async () => {
    const { db, secrets: box, now } = h.services;
    const deliverer = createWebhookDeliverer({
      queue: new DbWebhookQueue(db),
      targets: dbWebhookTargets(db, box),
      fetch: (url, init) => fetch(url, init),
      now,
      random: () => 0.5,
      timeoutMs: 2_000,
    });
    h.onWake = () => deliverer.wake();
    try {
      const hook = await call("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["run.finished", "test_run.finished"],
      });
      secrets.push(hook.body.secret);
      // Another workspace's webhook hears nothing of a's runs.
      const other = await call(
        "POST",
        "/v1/webhooks",
        { url: `${receiver.url}/b`, events: ["run.finished"] },
        h.b.apiKey,
      );
      secrets.push(other.body.secret);
      const agentId = await h.seedAgent(h.a.workspaceId);
      const scenarioId = await h.seedScenario(h.a.workspaceId, { script: [{ say: "hi" }] });
      const started = await call("POST", "/v1/test-runs", {
        agent_id: agentId,
        scenario_ids: [scenarioId],
        frequency: 2,
      });
      const testRun = await h.settled(started.body.test_run_id);
      for (let i = 0; i < 200 && receiver.received.length < 3; i++)
        await new Promise((r) => setTimeout(r, 25));

      expect(receiver.received.map((r) => r.path)).toEqual(["/hook", "/hook", "/hook"]);
      // Deliveries run concurrently, so they arrive in any order: sorted runs first, by run id.
      const received = receiver.received
        .map((request) => ({ request, event: JSON.parse(request.body.toString("utf8")) }))
        .sort((x, y) => x.event.type.localeCompare(y.event.type) || x.event.data.id - y.event.data.id);
      const events = received.map((r) => r.event);
      expect(events.map((e) => e.type)).toEqual(["run.finished", "run.finished", "test_run.finished"]);
      const runs = (await call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`)).body.data;
      expect(events.slice(0, 2).map((e) => e.data)).toEqual(runs);
      expect(events[2]).toEqual({
        id: expect.stringMatching(/^evt_/),
        type: "test_run.finished",
        created_at: "2026-12-04T12:00:00.000Z",
        data: testRun.body,
      });
      for (const { request, event } of received) {
        expect(request.headers[EVENT_ID_HEADER.toLowerCase()]).toBe(event.id);
        const check = await verifyWebhookSignature(
          hook.body.secret,
          request.headers[SIGNATURE_HEADER.toLowerCase()] as string,
          request.body,
          now() / 1000,
          300,
        );
        expect(check).toEqual({ ok: true, timestampS: now() / 1000 });
      }
      expect(new Set(events.map((e) => e.id)).size).toBe(3);
      bodies.push(...receiver.received.map((r) => r.body.toString("utf8")));
    } finally {
      h.onWake = undefined;
      await deliverer.stop();
    }
  });
});
