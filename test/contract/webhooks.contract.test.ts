/**
 * The gateway contract, part 5: webhooks against a receiver on loopback, and restarts. A
 * delivery is signed, retried with the same event id after a failure, and survives a restart;
 * a run in flight when the gateway stops does not stay running. The gateway runs with
 * SPAR_WEBHOOK_FIRST_RETRY_MS so a retry comes within a second instead of up to 30 s.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets, verifyWebhookSignature } from "@spar/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ContractClient,
  contractClient,
  type Delivery,
  expectError,
  pollUntil,
  startReceiver,
} from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const AGENT_SECRET = "webhooks-agent-secret-a7c3";

describe.each(TARGETS)("gateway contract on $name: webhooks and restarts", (target) => {
  let gw: RunningTarget;
  let agent: ReferenceTextAgent;
  let client: ContractClient;
  let agentId: number;
  let scenarioId: number;
  const hookSecrets: string[] = [];
  const call: ContractClient["call"] = (...args) => client.call(...args);

  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    gw = await target.start({ SPAR_WEBHOOK_FIRST_RETRY_MS: "200" });
    client = contractClient(gw);
    const made = await call("POST", "/v1/agents", {
      name: "echo",
      text: { url: `${agent.url}/echo`, secret: AGENT_SECRET, settle_ms: 20 },
    });
    agentId = made.body.id;
    const scenario = await call("POST", "/v1/scenarios", {
      script: [{ say: "ping" }, { expect: "/said: ping/" }],
    });
    scenarioId = scenario.body.id;
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
  });

  async function createHook(url: string, events: string[]) {
    const hook = await call("POST", "/v1/webhooks", { url, events }, { showsSecret: true });
    expect(hook.status).toBe(201);
    hookSecrets.push(hook.body.secret);
    return hook.body as { id: number; secret: string };
  }

  async function expectSigned(secret: string, d: Delivery | undefined) {
    const header = String(d?.headers["spar-signature"]);
    const check = await verifyWebhookSignature(
      secret,
      header,
      d?.body ?? "",
      Math.floor(Date.now() / 1000),
      300,
    );
    expect(check.ok).toBe(true);
    expect(d?.headers["spar-event-id"]).toBe(JSON.parse(d?.body ?? "{}").id);
  }

  it("creates, lists, reads and deletes webhooks, showing the secret only at creation", async () => {
    const made = await call(
      "POST",
      "/v1/webhooks",
      { url: "https://ci.example.com/spar", events: ["run.finished", "test_run.finished"] },
      { showsSecret: true },
    );
    expect(made.status).toBe(201);
    expect(Object.keys(made.body).sort()).toEqual(["created_at", "events", "id", "secret", "url"]);
    hookSecrets.push(made.body.secret);
    const { secret, ...view } = made.body;
    expect((await call("GET", `/v1/webhooks/${made.body.id}`)).body).toEqual(view);
    expect((await call("GET", "/v1/webhooks")).body).toEqual({ data: [view], next_cursor: null });
    expect((await call("DELETE", `/v1/webhooks/${made.body.id}`)).status).toBe(204);
    expectError(await call("GET", `/v1/webhooks/${made.body.id}`), 404, "not_found");
    expectError(await call("DELETE", `/v1/webhooks/${made.body.id}`), 404, "not_found");
  });

  it.each([
    [{ url: "https://ci.example.com", events: [] }, /^events: /],
    [{ url: "https://ci.example.com", events: ["run.finished", "run.finished"] }, /^events: /],
    [{ url: "https://ci.example.com", events: ["run.started"] }, /^events\[0\]: /],
    [{ url: "ftp://ci.example.com", events: ["run.finished"] }, /^url: /],
    [{ url: "https://ci.example.com", events: ["run.finished"], active: true }, /active/],
  ])("refuses a bad webhook with 400 naming the field: %j", async (body, message) => {
    expectError(await call("POST", "/v1/webhooks", body), 400, "bad_request", message);
  });

  it("signs each delivery and retries a failed one with the same event id and body", async () => {
    const receiver = await startReceiver([500]);
    try {
      const hook = await createHook(receiver.url, ["run.finished"]);
      const started = await call("POST", "/v1/test-runs", { agent_id: agentId, scenario_ids: [scenarioId] });
      expect(started.status).toBe(201);
      await pollUntil(
        async () => receiver.deliveries,
        (ds) => ds.some((d) => d.status === 200),
      );
      const [failed, retried] = receiver.deliveries;
      expect(receiver.deliveries.map((d) => d.status)).toEqual([500, 200]);
      await expectSigned(hook.secret, failed);
      await expectSigned(hook.secret, retried);
      expect(retried?.body).toBe(failed?.body);
      expect(retried?.headers["spar-event-id"]).toBe(failed?.headers["spar-event-id"]);
      const event = JSON.parse(retried?.body ?? "{}");
      expect(Object.keys(event).sort()).toEqual(["created_at", "data", "id", "type"]);
      expect(event.type).toBe("run.finished");
      expect(event.data).toEqual((await call("GET", `/v1/runs/${event.data.id}`)).body);
      expect(event.data.test_run_id).toBe(started.body.test_run_id);
      expect((await call("DELETE", `/v1/webhooks/${hook.id}`)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  it("delivers an event still failing when the gateway stops, after it starts again", async () => {
    const receiver = await startReceiver([], 500);
    try {
      const hook = await createHook(receiver.url, ["test_run.finished"]);
      const started = await call("POST", "/v1/test-runs", { agent_id: agentId, scenario_ids: [scenarioId] });
      await pollUntil(
        async () => receiver.deliveries,
        (ds) => ds.length > 0,
      );
      const eventId = receiver.deliveries[0]?.headers["spar-event-id"];
      expect(receiver.deliveries[0]?.status).toBe(500);

      // The receiver recovers while the gateway is down. Switched after the restart instead, it
      // raced the restarted gateway's first retries: on Workers the alarm fires before the
      // start-up sweep answers, and each retry it lost moved the next one to a later window
      // (up to 12.8 s away at SPAR_WEBHOOK_FIRST_RETRY_MS=200), past this test's polling.
      let beforeRecovery = 0;
      await gw.restart(() => {
        beforeRecovery = receiver.deliveries.length;
        receiver.answer = 200;
      });
      await pollUntil(
        async () => receiver.deliveries,
        (ds) => ds.some((d) => d.status === 200),
      );
      const delivered = receiver.deliveries.filter((d) => d.status === 200);
      expect(
        delivered,
        `statuses ${JSON.stringify(receiver.deliveries.map((d) => d.status))}, ${beforeRecovery} before the restart; the gateway's webhook log:\n${gw.logs.filter((l) => l.includes("webhook")).join("\n")}`,
      ).toHaveLength(1);
      expect(receiver.deliveries.slice(0, beforeRecovery).every((d) => d.status === 500)).toBe(true);
      expect(receiver.deliveries.length).toBeGreaterThan(beforeRecovery);
      expect(delivered[0]?.headers["spar-event-id"]).toBe(eventId);
      await expectSigned(hook.secret, delivered[0]);
      const event = JSON.parse(delivered[0]?.body ?? "{}");
      expect(event).toMatchObject({
        type: "test_run.finished",
        data: { test_run_id: started.body.test_run_id },
      });
      expect((await call("DELETE", `/v1/webhooks/${hook.id}`)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  it("sends a delivery again soon after a restart cut its attempt short", async () => {
    // The first attempt is still waiting for its answer when the gateway stops. Node waits for it
    // (the 500 comes after 2 s) and schedules a retry; workerd is stopped with the attempt in
    // flight, and the restarted gateway must free that claim instead of waiting out its lease
    // (timeout + 60 s, far past this polling).
    const receiver = await startReceiver([500], 200, 2_000);
    try {
      const hook = await createHook(receiver.url, ["test_run.finished"]);
      await call("POST", "/v1/test-runs", { agent_id: agentId, scenario_ids: [scenarioId] });
      await pollUntil(
        async () => receiver.deliveries,
        (ds) => ds.length > 0,
      );
      await gw.restart();
      const statuses = await pollUntil(
        async () => receiver.deliveries.map((d) => d.status),
        (ds) => ds.includes(200),
      );
      expect(
        statuses,
        `the gateway's webhook log:\n${gw.logs.filter((l) => l.includes("webhook")).join("\n")}`,
      ).toEqual([500, 200]);
      const [held, sent] = receiver.deliveries;
      expect(sent?.headers["spar-event-id"]).toBe(held?.headers["spar-event-id"]);
      await expectSigned(hook.secret, sent);
      expect((await call("DELETE", `/v1/webhooks/${hook.id}`)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  it("leaves no run running after a restart with a run in flight, and settles its test run", async () => {
    const silent = await call("POST", "/v1/agents", {
      name: "silent",
      text: { url: `${agent.url}/echo?behavior=silent`, secret: AGENT_SECRET, per_turn_timeout_s: 600 },
    });
    const started = await call("POST", "/v1/test-runs", {
      agent_id: silent.body.id,
      scenario_ids: [scenarioId],
    });
    const id = started.body.test_run_id;
    const running = await pollUntil(
      () => call("GET", `/v1/runs?test_run_id=${id}`),
      (res) => res.body.data[0]?.status === "running",
    );
    expect(running.body.data[0].status).toBe("running");

    await gw.restart();
    const run = (await call("GET", `/v1/runs/${running.body.data[0].id}`)).body;
    // A graceful stop ends it as interrupted; a crash is recovered as failed ("gateway restarted").
    expect(["interrupted", "failed"]).toContain(run.status);
    expect(run.passed).toBe(false);
    expect(run.ended_at).not.toBeNull();
    const testRun = (await call("GET", `/v1/test-runs/${id}`)).body;
    expect(testRun).toMatchObject({ status: "done", verdict: "failed", runs: { total: 1, passed: 0 } });
  });

  it("never answers, logs or delivers a configured secret", () => {
    const secrets = [AGENT_SECRET, gw.apiKey, ...hookSecrets];
    expect(hookSecrets).toHaveLength(4);
    expect(findSecrets(client.answers.join("\n"), secrets)).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), secrets)).toEqual([]);
  });
});
