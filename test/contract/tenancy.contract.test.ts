/**
 * The gateway contract, part 3: tenancy over HTTP. Every kind of object of one workspace is,
 * to another workspace's key, exactly an object that never existed — on reads, changes,
 * deletes, its sub-routes and as an id inside a body — and the other key changes nothing.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets } from "@spar/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  type ContractClient,
  contractClient,
  createWorkspace,
  expectError,
  pollUntil,
} from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const ADMIN = "tenancy-admin-token-0123456789";
const AGENT_SECRET = "tenancy-agent-secret-51c2";
const NEVER = 999_999;

describe.each(TARGETS)("gateway contract on $name: tenancy", (target) => {
  let gw: RunningTarget;
  let agent: ReferenceTextAgent;
  let client: ContractClient;
  let other: string;
  /** Workspace default's objects, by kind. */
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    gw = await target.start({ SPAR_ADMIN_TOKEN: ADMIN });
    client = contractClient(gw);
    other = (await createWorkspace(gw, ADMIN, "other")).api_key;

    const metric = await client.call("POST", "/v1/metrics", {
      name: "fast",
      kind: "assertion",
      assertion: { max_latency_ms: 60_000 },
    });
    const made = await client.call("POST", "/v1/agents", {
      name: "mine",
      text: { url: `${agent.url}/echo`, secret: AGENT_SECRET, settle_ms: 20 },
      metric_ids: [metric.body.id],
    });
    const scenario = await client.call("POST", "/v1/scenarios", {
      agent_id: made.body.id,
      script: [{ say: "ping" }, { expect: "/said: ping/" }],
    });
    const hook = await client.call(
      "POST",
      "/v1/webhooks",
      { url: "http://127.0.0.1:9/hook", events: ["run.finished"] },
      { showsSecret: true },
    );
    const key = await client.call("POST", "/v1/api-keys", { name: "second" }, { showsSecret: true });
    const testRun = await client.call("POST", "/v1/test-runs", {
      agent_id: made.body.id,
      scenario_ids: [scenario.body.id],
    });
    expect(testRun.status).toBe(201);
    const settled = await pollUntil(
      () => client.call("GET", `/v1/test-runs/${testRun.body.test_run_id}`),
      (res) => res.body.status === "done",
    );
    expect(settled.body.verdict).toBe("passed");
    const runs = await client.call("GET", `/v1/runs?test_run_id=${testRun.body.test_run_id}`);
    Object.assign(ids, {
      metric: metric.body.id,
      agent: made.body.id,
      scenario: scenario.body.id,
      webhook: hook.body.id,
      apiKey: key.body.id,
      testRun: testRun.body.test_run_id,
      run: runs.body.data[0].id,
    });
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
  });

  /** The other workspace's answer equals the answer for an id that never existed, id aside. */
  async function expectLikeMissing(method: string, path: (id: number) => string, id: number, body?: unknown) {
    const theirs = await client.call(method, path(id), body, { key: other });
    const missing = await client.call(method, path(NEVER), body, { key: other });
    expectError(theirs, 404, "not_found");
    expectError(missing, 404, "not_found");
    const general = (res: Answer, n: number) => res.body.error.message.replaceAll(String(n), "N");
    expect(general(theirs, id)).toBe(general(missing, NEVER));
  }

  it.each([
    ["agent", "/v1/agents", { name: "stolen" }],
    ["scenario", "/v1/scenarios", { tags: ["stolen"] }],
    ["metric", "/v1/metrics", { critical: true }],
  ])(
    "answers another workspace's %s with 404 on GET, PATCH and DELETE, and keeps it",
    async (kind, base, patch) => {
      const id = ids[kind] ?? 0;
      const before = await client.call("GET", `${base}/${id}`);
      expect(before.status).toBe(200);
      await expectLikeMissing("GET", (n) => `${base}/${n}`, id);
      await expectLikeMissing("PATCH", (n) => `${base}/${n}`, id, patch);
      await expectLikeMissing("DELETE", (n) => `${base}/${n}`, id);
      expect((await client.call("GET", `${base}/${id}`)).body).toEqual(before.body);
    },
  );

  it("answers another workspace's test run with 404 on every path, the vendor's included", async () => {
    const id = ids.testRun ?? 0;
    await expectLikeMissing("GET", (n) => `/v1/test-runs/${n}`, id);
    await expectLikeMissing("GET", (n) => `/api/public/v1/test_runs/${n}`, id);
    await expectLikeMissing("POST", (n) => `/v1/test-runs/${n}/cancel`, id);
    await expectLikeMissing("GET", (n) => `/v1/runs?test_run_id=${n}`, id);
    expect((await client.call("GET", "/v1/test-runs", undefined, { key: other })).body.data).toEqual([]);
  });

  it("answers another workspace's run with 404, its events too, and leaves it out of an id list", async () => {
    const id = ids.run ?? 0;
    await expectLikeMissing("GET", (n) => `/v1/runs/${n}`, id);
    await expectLikeMissing("GET", (n) => `/v1/runs/${n}/events`, id);
    const listed = await client.call("GET", `/v1/runs?ids=${id}`, undefined, { key: other });
    expect([listed.status, listed.body.data]).toEqual([200, []]);
    expect((await client.call("GET", `/v1/runs?ids=${id}`)).body.data).toHaveLength(1);
  });

  it("answers another workspace's webhook and API key with 404, and keeps them", async () => {
    await expectLikeMissing("GET", (n) => `/v1/webhooks/${n}`, ids.webhook ?? 0);
    await expectLikeMissing("DELETE", (n) => `/v1/webhooks/${n}`, ids.webhook ?? 0);
    await expectLikeMissing("DELETE", (n) => `/v1/api-keys/${n}`, ids.apiKey ?? 0);
    expect((await client.call("GET", `/v1/webhooks/${ids.webhook}`)).status).toBe(200);
    const keys = await client.call("GET", "/v1/api-keys");
    const second = keys.body.data.find((k: { id: number }) => k.id === ids.apiKey);
    expect(second?.revoked_at).toBeNull();
  });

  it("answers another workspace's ids inside a body exactly as ids that never existed", async () => {
    const { agent: agentId = 0, scenario: scenarioId = 0, metric: metricId = 0 } = ids;
    const bodies: [string, string, (n: number) => unknown][] = [
      ["POST", "/v1/test-runs", (n) => ({ agent_id: n, tags: ["any"] })],
      ["POST", "/api/public/v1/test_runs", (n) => ({ agent_id: n, tags: ["any"] })],
      ["POST", "/v1/scenarios", (n) => ({ agent_id: n, script: [{ end: true }] })],
    ];
    for (const [method, path, body] of bodies) {
      const theirs = await client.call(method, path, body(agentId), { key: other });
      const missing = await client.call(method, path, body(NEVER), { key: other });
      expectError(theirs, 404, "not_found", /^agent_id: /);
      expect(theirs.body.error.message.replace(String(agentId), "N")).toBe(
        missing.body.error.message.replace(String(NEVER), "N"),
      );
    }
    const own = await client.call(
      "POST",
      "/v1/agents",
      { name: "theirs", text: { url: `${agent.url}/echo`, secret: AGENT_SECRET } },
      { key: other },
    );
    const withScenario = await client.call(
      "POST",
      "/v1/test-runs",
      { agent_id: own.body.id, scenario_ids: [scenarioId] },
      { key: other },
    );
    expectError(withScenario, 404, "not_found", /^scenario_ids: /);
    const withMetric = await client.call(
      "PATCH",
      `/v1/agents/${own.body.id}`,
      { metric_ids: [metricId] },
      { key: other },
    );
    expectError(withMetric, 404, "not_found", /^metric_ids: /);
  });

  it("lists only the caller's own objects", async () => {
    for (const path of ["/v1/agents", "/v1/scenarios", "/v1/metrics", "/v1/webhooks"]) {
      const theirs = await client.call("GET", path, undefined, { key: other });
      const mine = await client.call("GET", path);
      const theirIds = theirs.body.data.map((o: { id: number }) => o.id);
      for (const o of mine.body.data) expect(theirIds).not.toContain(o.id);
      expect(mine.body.data.length).toBeGreaterThan(0);
    }
  });

  it("never answers or logs a configured secret", () => {
    const secrets = [AGENT_SECRET, ADMIN, gw.apiKey, other];
    expect(findSecrets(client.answers.join("\n"), secrets)).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), secrets)).toEqual([]);
  });
});
