import { scenarioViewSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const NOW = "2026-12-04T12:00:00.000Z";
let h: RouteHarness;
let agentId: number;
let otherAgentId: number;

beforeAll(async () => {
  h = await startRouteHarness();
  const agent = (key: string, apiKey?: string) =>
    h.call(
      "POST",
      "/v1/agents",
      { name: key, key, text: { url: "wss://bot.example.com/ws", secret: "s3cr3t-x" } },
      apiKey,
    );
  agentId = (await agent("support")).body.id;
  otherAgentId = (await agent("theirs", h.b.apiKey)).body.id;
});
afterAll(async () => {
  await h.close();
});

const refund = {
  key: "refund",
  name: "Refund",
  tags: ["smoke", "billing"],
  metadata: { "X-Tenant": "acme", plan: "pro" },
  script: [{ say: "I want a refund" }, { expect: "refund" }, { end: true }],
  assertions: [{ agent_said: "refund" }],
};

describe("POST /v1/scenarios", () => {
  it("creates a scenario attached to an agent and answers it whole", async () => {
    const res = await h.call("POST", "/v1/scenarios", {
      ...refund,
      agent_id: agentId,
      expected_outcome: "The agent starts a refund.",
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: res.body.id,
      key: "refund",
      agent_id: agentId,
      name: "Refund",
      tags: ["smoke", "billing"],
      metadata: { "X-Tenant": "acme", plan: "pro" },
      script: refund.script,
      assertions: refund.assertions,
      expected_outcome: "The agent starts a refund.",
      created_at: NOW,
      updated_at: NOW,
    });
    expect((await h.call("GET", `/v1/scenarios/${res.body.id}`)).body).toEqual(res.body);
  });

  it("takes the shortest script, with no agent", async () => {
    const res = await h.call("POST", "/v1/scenarios", { script: [{ end: true }] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      key: null,
      agent_id: null,
      name: null,
      tags: [],
      expected_outcome: null,
    });
  });

  it("refuses X-* metadata that cannot be a header, a step after the end and a scenario with nothing to do", async () => {
    const res = await h.call("POST", "/v1/scenarios", {
      metadata: { "X-RUBRIC-SECRET": "x", "X-Bad Name": "y", "X-Multi": "a\r\nb" },
      script: [{ end: true }, { say: "hi" }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "script[1]: never plays: the call is over after `end: true` (step 1); make it the last step; " +
        "metadata.X-RUBRIC-SECRET: X-RUBRIC-* headers are set by the platform and cannot be overridden; rename it; " +
        "metadata.X-Bad Name: is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only); " +
        "metadata.X-Multi: value contains CR, LF or NUL, which would split the header",
    );
    const empty = await h.call("POST", "/v1/scenarios", { name: "nothing" });
    expect(empty.body.error.message).toBe(
      "(root): needs a `script`, or a `persona`/`goal` for the LLM caller",
    );
    const id = await h.call("POST", "/v1/scenarios", { id: "refund", script: [{ end: true }] });
    expect(id.body.error.message).toBe("(root): unknown field `id` (check the spelling)");
  });

  it("answers 409 for a taken key and 404 for an agent that is not the workspace's", async () => {
    const taken = await h.call("POST", "/v1/scenarios", refund);
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe(
      'key: a scenario with key "refund" already exists in this workspace',
    );
    for (const id of [otherAgentId, 999_999]) {
      const res = await h.call("POST", "/v1/scenarios", { script: [{ end: true }], agent_id: id });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`agent_id: agent ${id} not found`);
    }
  });
});

describe("GET /v1/scenarios", () => {
  it("filters by agent and by tag, newest first", async () => {
    const tagged = await h.call("POST", "/v1/scenarios", {
      key: "smoke-2",
      tags: ["smoke"],
      script: [{ end: true }],
    });
    const byAgent = await h.call("GET", `/v1/scenarios?agent_id=${agentId}`);
    expect(byAgent.body.data.map((s: { key: string }) => s.key)).toEqual(["refund"]);
    const byTag = await h.call("GET", "/v1/scenarios?tag=smoke");
    for (const s of (await h.call("GET", "/v1/scenarios")).body.data) scenarioViewSchema.parse(s);
    expect(byTag.body.data.map((s: { id: number }) => s.id)).toEqual([
      tagged.body.id,
      byAgent.body.data[0].id,
    ]);
    expect((await h.call("GET", "/v1/scenarios?tag=smoke&limit=1")).body.next_cursor).toEqual(
      expect.any(String),
    );
    expect((await h.call("GET", "/v1/scenarios?agent_id=x")).body.error.message).toBe(
      "agent_id: must be a positive integer",
    );
    expect((await h.call("GET", "/v1/scenarios", undefined, h.b.apiKey)).body).toEqual({
      data: [],
      next_cursor: null,
    });
  });
});

describe("PATCH and DELETE /v1/scenarios/{id}", () => {
  it("changes the given fields, removes those set to null, and checks the result whole", async () => {
    const { body: s } = await h.call("POST", "/v1/scenarios", {
      ...refund,
      key: "patch-me",
      agent_id: agentId,
    });
    const res = await h.call("PATCH", `/v1/scenarios/${s.id}`, {
      name: "Refund v2",
      agent_id: null,
      metadata: null,
      persona: "An angry customer",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...s,
      name: "Refund v2",
      agent_id: null,
      persona: "An angry customer",
      metadata: undefined,
    });
    expect(Object.hasOwn(res.body, "metadata")).toBe(false);
    const noScript = await h.call("PATCH", `/v1/scenarios/${s.id}`, { script: null, persona: null });
    expect(noScript.status).toBe(400);
    expect(noScript.body.error.message).toBe(
      "(root): needs a `script`, or a `persona`/`goal` for the LLM caller",
    );
    const header = await h.call("PATCH", `/v1/scenarios/${s.id}`, { metadata: { "X-RUBRIC-RUN-ID": "1" } });
    expect(header.status).toBe(400);
    expect((await h.call("PATCH", `/v1/scenarios/${s.id}`, { key: "refund" })).status).toBe(409);
    expect((await h.call("PATCH", `/v1/scenarios/${s.id}`, { agent_id: otherAgentId })).status).toBe(404);
  });

  it("answers another workspace's scenario like a missing one, and deletes with 204", async () => {
    const { body: s } = await h.call("POST", "/v1/scenarios", { script: [{ end: true }] });
    for (const [method, body] of [["GET"], ["PATCH", { name: "x" }], ["DELETE"]] as const) {
      const res = await h.call(method, `/v1/scenarios/${s.id}`, body, h.b.apiKey);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`scenario ${s.id} not found`);
    }
    expect((await h.call("DELETE", `/v1/scenarios/${s.id}`)).status).toBe(204);
    expect((await h.call("GET", `/v1/scenarios/${s.id}`)).status).toBe(404);
  });
});
