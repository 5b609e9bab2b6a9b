/**
 * The gateway contract, part 2: the catalog routes over HTTP — API keys, agents, scenarios,
 * metrics, workspace settings, suites as code and the credits view. Each route's happy path
 * answers the protocol's view schema; each error the spec names answers the envelope.
 */
import { findSecrets } from "@spar/gateway";
import {
  agentViewSchema,
  apiKeySchema,
  createdApiKeySchema,
  creditsViewSchema,
  livekitSettingsViewSchema,
  llmSettingsViewSchema,
  metricViewSchema,
  scenarioViewSchema,
  suiteUpsertResultSchema,
} from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, expectError } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const TEXT_SECRET = "catalog-text-secret-9b1e";
const LIVEKIT_SECRET = "catalog-livekit-secret-44af";
const LLM_KEY = "catalog-llm-key-c0ffee";

describe.each(TARGETS)("gateway contract on $name: the catalog", (target) => {
  let gw: RunningTarget;
  let client: ContractClient;
  const newKeys: string[] = [];
  beforeAll(async () => {
    gw = await target.start();
    client = contractClient(gw);
  });
  afterAll(async () => {
    await gw.close();
  });
  const call: ContractClient["call"] = (...args) => client.call(...args);
  const textAgent = (name: string, key?: string) => ({
    name,
    ...(key === undefined ? {} : { key }),
    text: { url: "ws://127.0.0.1:9/ws", secret: TEXT_SECRET },
  });

  it("creates, lists and revokes API keys; the key is shown once and starts with its prefix", async () => {
    const made = await call("POST", "/v1/api-keys", { name: "ci" }, { showsSecret: true });
    expect(made.status).toBe(201);
    const created = createdApiKeySchema.parse(made.body);
    newKeys.push(created.key);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const list = await call("GET", "/v1/api-keys");
    expect(list.status).toBe(200);
    expect(list.body.next_cursor).toBeNull();
    const listed = list.body.data.map((k: unknown) => apiKeySchema.strict().parse(k));
    expect(listed.map((k: { id: number }) => k.id)).toContain(created.id);
    expect((await call("DELETE", `/v1/api-keys/${created.id}`)).status).toBe(204);
    expectError(await call("DELETE", `/v1/api-keys/${created.id}`), 404, "not_found");
    expectError(await call("DELETE", "/v1/api-keys/999999"), 404, "not_found");
    expectError(await call("POST", "/v1/api-keys", { name: "" }), 400, "bad_request", /^name: /);
  });

  it("creates an agent, reads, changes and deletes it, never answering its secret", async () => {
    const made = await call("POST", "/v1/agents", textAgent("Echo", "echo"));
    expect(made.status).toBe(201);
    const agent = agentViewSchema.parse(made.body);
    expect(agent.text).toMatchObject({ url: "ws://127.0.0.1:9/ws", secret_configured: true });
    expect((await call("GET", `/v1/agents/${agent.id}`)).body).toEqual(made.body);

    const renamed = await call("PATCH", `/v1/agents/${agent.id}`, { name: "Echo 2" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Echo 2", text: { secret_configured: true } });
    const cleared = await call("PATCH", `/v1/agents/${agent.id}`, { text: { secret: null } });
    expect(cleared.body.text.secret_configured).toBe(false);

    const list = await call("GET", "/v1/agents");
    expect(list.body.data.map((a: { id: number }) => a.id)).toContain(agent.id);
    expect((await call("DELETE", `/v1/agents/${agent.id}`)).status).toBe(204);
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const body = method === "PATCH" ? { name: "x" } : undefined;
      expectError(await call(method, `/v1/agents/${agent.id}`, body), 404, "not_found");
    }
  });

  it("answers a voice agent's LiveKit secret as configured, and room options it ignores by name", async () => {
    const made = await call("POST", "/v1/agents", {
      name: "Voice",
      voice: {
        livekit: {
          mode: "rubric",
          url: "wss://lk.example.com",
          api_key: "APIkey1",
          api_secret: LIVEKIT_SECRET,
          agent_name: "my-agent",
          room_config: { empty_timeout: 600, colour: "blue" },
        },
      },
    });
    expect(made.status).toBe(201);
    expect(agentViewSchema.parse(made.body).ignored_room_config_keys).toEqual(["colour"]);
    expect(made.body.voice.livekit.api_secret_configured).toBe(true);
    const typed = await call("POST", "/v1/agents", {
      name: "Typed",
      voice: { livekit: { mode: "rubric", room_config: { empty_timeout: "10m" } } },
    });
    expectError(typed, 400, "bad_request", /^voice\.livekit\.room_config\.empty_timeout: /);
  });

  it("refuses bad agents with 400 naming the field, a taken key with 409, a missing metric with 404", async () => {
    expectError(
      await call("POST", "/v1/agents", {
        name: "Web",
        text: { url: "https://bot.example.com", secret: "s" },
      }),
      400,
      "bad_request",
      /^text\.url: must be a ws:\/\/ or wss:\/\/ URL/,
    );
    expectError(
      await call("POST", "/v1/agents", { ...textAgent("Odd"), colour: "red" }),
      400,
      "bad_request",
      /colour/,
    );
    expectError(
      await call("POST", "/v1/agents", {
        ...textAgent("Timeout"),
        text: { url: "ws://127.0.0.1:9", per_turn_timeout_s: -1 },
      }),
      400,
      "bad_request",
      /text\.per_turn_timeout_s: /,
    );
    expect((await call("POST", "/v1/agents", textAgent("First", "taken"))).status).toBe(201);
    expectError(await call("POST", "/v1/agents", textAgent("Second", "taken")), 409, "conflict", /^key: /);
    const other = await call("POST", "/v1/agents", textAgent("Other", "other"));
    expectError(
      await call("PATCH", `/v1/agents/${other.body.id}`, { key: "taken" }),
      409,
      "conflict",
      /^key: /,
    );
    expectError(
      await call("POST", "/v1/agents", { ...textAgent("Metrics"), metric_ids: [999999] }),
      404,
      "not_found",
      /^metric_ids: /,
    );
  });

  it("pages lists with limit and cursor, and refuses a bad limit or cursor naming it", async () => {
    for (const name of ["p1", "p2", "p3"]) await call("POST", "/v1/agents", textAgent(name));
    const first = await call("GET", "/v1/agents?limit=2");
    expect(first.body.data).toHaveLength(2);
    expect(typeof first.body.next_cursor).toBe("string");
    const second = await call(
      "GET",
      `/v1/agents?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    const ids = [...first.body.data, ...second.body.data].map((a: { id: number }) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const path of [
      "/v1/agents?limit=0",
      "/v1/agents?limit=101",
      "/v1/scenarios?limit=x",
      "/v1/metrics?limit=101",
    ]) {
      expectError(await call("GET", path), 400, "bad_request", /^limit: /);
    }
    expectError(await call("GET", "/v1/agents?cursor=garbage"), 400, "bad_request", /^cursor: /);
  });

  it("creates scenarios, filters them by agent and tag, patches and deletes them", async () => {
    const agent = await call("POST", "/v1/agents", textAgent("Scenario owner"));
    const made = await call("POST", "/v1/scenarios", {
      key: "refund",
      agent_id: agent.body.id,
      tags: ["smoke"],
      expected_outcome: "a refund is offered",
      script: [{ say: "refund please" }, { end: true }],
    });
    expect(made.status).toBe(201);
    const scenario = scenarioViewSchema.parse(made.body);
    const shortest = await call("POST", "/v1/scenarios", { script: [{ end: true }] });
    expect(shortest.status).toBe(201);
    const byAgent = await call("GET", `/v1/scenarios?agent_id=${agent.body.id}`);
    expect(byAgent.body.data.map((s: { id: number }) => s.id)).toEqual([scenario.id]);
    const byTag = await call("GET", "/v1/scenarios?tag=smoke");
    expect(byTag.body.data.map((s: { id: number }) => s.id)).toEqual([scenario.id]);
    expectError(await call("GET", "/v1/scenarios?agent_id=abc"), 400, "bad_request", /^agent_id: /);

    const patched = await call("PATCH", `/v1/scenarios/${scenario.id}`, {
      tags: ["nightly"],
      expected_outcome: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ tags: ["nightly"], expected_outcome: null, key: "refund" });
    expect((await call("GET", `/v1/scenarios/${scenario.id}`)).body).toEqual(patched.body);
    expect((await call("DELETE", `/v1/scenarios/${scenario.id}`)).status).toBe(204);
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const body = method === "PATCH" ? { tags: [] } : undefined;
      expectError(await call(method, `/v1/scenarios/${scenario.id}`, body), 404, "not_found");
    }
  });

  it("refuses bad scenarios naming the field, a taken key with 409 and an unknown agent with 404", async () => {
    expectError(
      await call("POST", "/v1/scenarios", { metadata: { "X-RUBRIC-SECRET": "x" }, script: [{ end: true }] }),
      400,
      "bad_request",
      /^metadata\.X-RUBRIC-SECRET: /,
    );
    expectError(
      await call("POST", "/v1/scenarios", { name: "nothing" }),
      400,
      "bad_request",
      /needs a `script`/,
    );
    expect((await call("POST", "/v1/scenarios", { key: "dup", script: [{ end: true }] })).status).toBe(201);
    expectError(
      await call("POST", "/v1/scenarios", { key: "dup", script: [{ end: true }] }),
      409,
      "conflict",
      /^key: /,
    );
    expectError(
      await call("POST", "/v1/scenarios", { agent_id: 999999, script: [{ end: true }] }),
      404,
      "not_found",
      /^agent_id: /,
    );
  });

  it("creates judge and assertion metrics, patches and deletes them, refusing a kind without its field", async () => {
    const judge = await call("POST", "/v1/metrics", {
      name: "polite",
      kind: "judge",
      judge: "Was the agent polite?",
    });
    expect(judge.status).toBe(201);
    expect(metricViewSchema.parse(judge.body)).toMatchObject({
      applies_to: "text_and_voice",
      critical: false,
    });
    const assertion = await call("POST", "/v1/metrics", {
      name: "mentions refund",
      kind: "assertion",
      assertion: { max_latency_ms: 1500 },
      critical: true,
    });
    expect(assertion.status).toBe(201);
    expectError(
      await call("POST", "/v1/metrics", { name: "x", kind: "judge" }),
      400,
      "bad_request",
      /^judge: /,
    );
    const patched = await call("PATCH", `/v1/metrics/${judge.body.id}`, { critical: true });
    expect(patched.body).toMatchObject({ critical: true, judge: "Was the agent polite?" });
    expectError(
      await call("PATCH", `/v1/metrics/${judge.body.id}`, { kind: "assertion" }),
      400,
      "bad_request",
      /^assertion: /,
    );
    expect((await call("GET", "/v1/metrics")).body.data).toHaveLength(2);
    expect((await call("DELETE", `/v1/metrics/${judge.body.id}`)).status).toBe(204);
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const body = method === "PATCH" ? { critical: false } : undefined;
      expectError(await call(method, `/v1/metrics/${judge.body.id}`, body), 404, "not_found");
    }
    const attached = await call("POST", "/v1/agents", {
      ...textAgent("Measured"),
      metric_ids: [assertion.body.id],
    });
    expect(attached.body.metric_ids).toEqual([assertion.body.id]);
  });

  it("keeps workspace settings with write-only secrets: omitted keeps, null clears", async () => {
    expect(livekitSettingsViewSchema.parse((await call("GET", "/v1/settings/livekit")).body)).toMatchObject({
      url: null,
      api_secret_configured: false,
    });
    const lk = await call("PUT", "/v1/settings/livekit", {
      url: "wss://lk.example.com",
      api_key: "k",
      api_secret: LIVEKIT_SECRET,
    });
    expect(lk.body).toMatchObject({ url: "wss://lk.example.com", api_key: "k", api_secret_configured: true });
    const kept = await call("PUT", "/v1/settings/livekit", { url: "wss://lk2.example.com", api_key: "k" });
    expect(kept.body.api_secret_configured).toBe(true);
    const cleared = await call("PUT", "/v1/settings/livekit", { url: null, api_key: null, api_secret: null });
    expect(cleared.body.api_secret_configured).toBe(false);
    expectError(
      await call("PUT", "/v1/settings/livekit", { url: "https://lk.example.com", api_key: "k" }),
      400,
      "bad_request",
      /^url: /,
    );

    const llm = await call("PUT", "/v1/settings/llm", {
      base_url: "https://llm.example.com/v1",
      model: "m",
      api_key: LLM_KEY,
    });
    expect(llmSettingsViewSchema.parse(llm.body)).toMatchObject({ model: "m", api_key_configured: true });
    expect((await call("GET", "/v1/settings/llm")).body).toEqual(llm.body);
    expectError(
      await call("PUT", "/v1/settings/llm", { base_url: "ftp://llm.example.com", model: "m" }),
      400,
      "bad_request",
      /^base_url: /,
    );
    expectError(await call("PUT", "/v1/settings/llm", { base_url: null }), 400, "bad_request", /model/);
    // Left configured on purpose: the leak scan below looks for it in every later answer.
    expect((await call("GET", "/v1/settings/llm")).body.api_key_configured).toBe(true);
  });

  it("upserts a suite's agent and scenarios by their keys, and refuses an invalid suite with the loader's message", async () => {
    const suite = {
      version: 1,
      agent: { id: "suite-bot", text: { url: "ws://127.0.0.1:9/ws", secret: TEXT_SECRET } },
      scenarios: [
        { id: "one", script: [{ say: "hi" }, { end: true }] },
        { id: "two", script: [{ end: true }] },
      ],
    };
    const first = await call("PUT", "/v1/suites", suite);
    expect(first.status).toBe(200);
    const result = suiteUpsertResultSchema.parse(first.body);
    expect(result.scenarios.map((s) => s.key)).toEqual(["one", "two"]);
    const again = await call("PUT", "/v1/suites", suite);
    expect(again.body).toEqual(first.body);
    expect((await call("GET", `/v1/agents/${result.agent_id}`)).body).toMatchObject({
      key: "suite-bot",
      name: "suite-bot",
    });
    expectError(
      await call("PUT", "/v1/suites", {
        ...suite,
        scenarios: [{ id: "bad", script: [{ say: "a", dtmf: "1" }] }],
      }),
      400,
      "bad_request",
      /^scenarios\[0\]\.script\[0\]: /,
    );
  });

  it("answers the credits view: off by default", async () => {
    const res = await call("GET", "/v1/credits");
    expect(creditsViewSchema.parse(res.body)).toEqual({ enabled: false, balance: 0 });
  });

  it("never answers or logs a configured secret", () => {
    const secrets = [TEXT_SECRET, LIVEKIT_SECRET, LLM_KEY, gw.apiKey, ...newKeys];
    expect(findSecrets(client.answers.join("\n"), secrets)).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), secrets)).toEqual([]);
  });
});
