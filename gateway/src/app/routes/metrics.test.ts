import { metricViewSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const NOW = "2026-12-04T12:00:00.000Z";
let h: RouteHarness;

beforeAll(async () => {
  h = await startRouteHarness();
});
afterAll(async () => {
  await h.close();
});

describe("/v1/metrics", () => {
  it("creates a judge metric with the defaults and an assertion metric", async () => {
    const judge = await h.call("POST", "/v1/metrics", {
      name: "Polite",
      kind: "judge",
      judge: "Was the agent polite?",
    });
    expect(judge.status).toBe(201);
    expect(judge.body).toEqual({
      id: judge.body.id,
      name: "Polite",
      kind: "judge",
      judge: "Was the agent polite?",
      applies_to: "text_and_voice",
      critical: false,
      created_at: NOW,
      updated_at: NOW,
    });
    const assertion = await h.call("POST", "/v1/metrics", {
      name: "Fast",
      kind: "assertion",
      assertion: { max_latency_ms: 1500 },
      applies_to: "text_only",
      critical: true,
    });
    expect(assertion.body).toMatchObject({
      kind: "assertion",
      assertion: { max_latency_ms: 1500 },
      critical: true,
    });
    expect(Object.hasOwn(assertion.body, "judge")).toBe(false);
    const list = await h.call("GET", "/v1/metrics");
    expect(list.body.data.map((m: { id: number }) => m.id)).toEqual([assertion.body.id, judge.body.id]);
    for (const m of list.body.data) metricViewSchema.parse(m);
  });

  it("refuses a metric whose kind and fields disagree, or a bad assertion", async () => {
    const res = await h.call("POST", "/v1/metrics", {
      name: "x",
      kind: "judge",
      assertion: { ended_by: "agent" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "judge: is required with kind judge; assertion: is not allowed with kind judge; use kind assertion",
    );
    const bad = await h.call("POST", "/v1/metrics", {
      name: "x",
      kind: "assertion",
      assertion: { said: "x" },
    });
    expect(bad.body.error.message).toBe(
      'assertion: unknown assertion "said"; valid kinds: agent_said, agent_never_said, function_called, ended_by, ended_reason, max_latency_ms, metadata, judge',
    );
  });

  it("changes a metric's kind with a PATCH, dropping the old kind's field", async () => {
    const { body: m } = await h.call("POST", "/v1/metrics", { name: "J", kind: "judge", judge: "Good?" });
    const res = await h.call("PATCH", `/v1/metrics/${m.id}`, {
      kind: "assertion",
      assertion: { ended_by: "agent" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...m, kind: "assertion", assertion: { ended_by: "agent" }, judge: undefined });
    expect(Object.hasOwn(res.body, "judge")).toBe(false);
    const half = await h.call("PATCH", `/v1/metrics/${m.id}`, { kind: "judge" });
    expect(half.body.error.message).toBe("judge: is required with kind judge");
    expect((await h.call("PATCH", `/v1/metrics/${m.id}`, { critical: true })).body.critical).toBe(true);
  });

  it("answers another workspace's metric like a missing one, and deletes with 204", async () => {
    const { body: m } = await h.call("POST", "/v1/metrics", { name: "J", kind: "judge", judge: "Good?" });
    for (const [method, body] of [["GET"], ["PATCH", { name: "x" }], ["DELETE"]] as const) {
      const res = await h.call(method, `/v1/metrics/${m.id}`, body, h.b.apiKey);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`metric ${m.id} not found`);
    }
    expect((await h.call("GET", "/v1/metrics", undefined, h.b.apiKey)).body.data).toEqual([]);
    expect((await h.call("DELETE", `/v1/metrics/${m.id}`)).status).toBe(204);
    expect((await h.call("GET", `/v1/metrics/${m.id}`)).status).toBe(404);
  });
});
