/**
 * Cekura-compatible routes on the real app over a libSQL file: the bulk run read (shape,
 * mapping, tenancy), the X-CEKURA-API-KEY header and where it is accepted, and the manual-run
 * routes around a hand-written StartManualRuns (registered only when one is given).
 */
import type { ManualLivekitRuns, TranscriptEntry } from "@spar/protocol";
import { cekuraRunSchema } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "../../db/repositories/agents.ts";
import { createRuns, finishRun, startRun } from "../../db/repositories/runs.ts";
import { createTestRun } from "../../db/repositories/test-runs.ts";
import { createGatewayApp } from "../gateway-app.ts";
import type { Principal } from "../principal.ts";
import type { ManualRunKind, StartManualRuns } from "./cekura.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const NOW_MS = Date.parse("2026-12-04T12:00:00Z");
let h: RouteHarness;
beforeEach(async () => {
  h = await startRouteHarness({ now: () => NOW_MS });
});
afterEach(async () => {
  await h.close();
});

const TRANSCRIPT: TranscriptEntry[] = [
  { role: "user", content: "I need a refund", at_ms: 0 },
  { role: "agent", content: "Sure, which order?", at_ms: 1250, latency_ms: 1250 },
  { role: "function_call", content: "", at_ms: 2000, data: { name: "lookup" } },
  { role: "function_call_result", content: "", at_ms: 2100, data: { result: "ok" } },
];

/** An agent, a test run and three runs in the workspace: ended passed, ended failed, queued. */
async function seed(workspaceId: number) {
  const { db } = h.services;
  const agent = await createAgent(db, workspaceId, { name: "Billing", text: null, voice: null }, NOW_MS);
  if (!agent.ok) throw new Error("no agent");
  const testRun = await createTestRun(
    db,
    workspaceId,
    {
      agentId: agent.row.id,
      channel: "voice",
      frequency: 1,
      successThreshold: 100,
      name: null,
      ciMetadata: null,
    },
    NOW_MS,
  );
  if (!testRun.ok) throw new Error("no test run");
  const made = await createRuns(
    db,
    workspaceId,
    testRun.row.id,
    [1, 2, 3].map((i) => ({
      agentId: agent.row.id,
      scenarioId: 40 + i,
      scenarioName: `Refund ${i}`,
      attempt: 1,
      channel: "voice" as const,
    })),
    NOW_MS,
  );
  const [passed, failed, queued] = made ?? [];
  if (!passed || !failed || !queued) throw new Error("no runs");
  const ending = {
    endedBy: "caller" as const,
    transcript: TRANSCRIPT,
    assertions: [],
    metrics: {},
    endedAtMs: NOW_MS + 5000,
  };
  for (const run of [passed, failed]) {
    await startRun(db, workspaceId, run.id, { startedAtMs: NOW_MS, deadlineAtMs: NOW_MS + 60_000 });
  }
  await finishRun(db, workspaceId, passed.id, {
    ...ending,
    status: "completed",
    endedReason: "caller_ended",
    passed: true,
    error: null,
    recording: {
      stereo_url: "http://127.0.0.1:8787/v1/runs/1/recording",
      participants: {},
      sample_rate_hz: 48000,
    },
  });
  await finishRun(db, workspaceId, failed.id, {
    ...ending,
    status: "failed",
    endedReason: "agent_timeout",
    passed: false,
    error: "no reply within 120 s",
  });
  return { agentId: agent.row.id, ids: [passed.id, failed.id, queued.id] as const };
}

const bulk = (query: string, headers: Record<string, string>) =>
  h.request(`/test_framework/v1/runs/bulk/${query}`, { headers });

describe("GET /test_framework/v1/runs/bulk/", () => {
  it("answers the runs in Cekura's shape, mapping roles, seconds, statuses, recording and error", async () => {
    const { agentId, ids } = await seed(h.a.workspaceId);
    const res = await bulk(`?run_ids=${ids.join(",")}`, { "X-CEKURA-API-KEY": h.a.apiKey });
    expect(res.status).toBe(200);
    const body = (await res.json()) as unknown[];
    for (const run of body) cekuraRunSchema.strict().parse(run);
    const transcript = [
      { role: "Testing Agent", content: "I need a refund", timestamp: 0 },
      { role: "Main Agent", content: "Sure, which order?", timestamp: 1.25 },
      { role: "Function Call", content: "", timestamp: 2 },
      { role: "Function Call Result", content: "", timestamp: 2.1 },
    ];
    expect(body).toEqual([
      {
        id: ids[0],
        scenario: 41,
        scenario_name: "Refund 1",
        agent: agentId,
        success: true,
        status: "completed",
        transcript_object: transcript,
        voice_recording_url: "http://127.0.0.1:8787/v1/runs/1/recording",
        error_message: null,
      },
      {
        id: ids[1],
        scenario: 42,
        scenario_name: "Refund 2",
        agent: agentId,
        success: false,
        status: "failed",
        transcript_object: transcript,
        voice_recording_url: null,
        error_message: "agent_timeout: no reply within 120 s",
      },
      {
        id: ids[2],
        scenario: 43,
        scenario_name: "Refund 3",
        agent: agentId,
        success: null,
        status: "pending",
        transcript_object: [],
        voice_recording_url: null,
        error_message: null,
      },
    ]);
  });

  it("leaves out unknown ids and another workspace's runs alike, and takes the path without its slash", async () => {
    const mine = await seed(h.a.workspaceId);
    const theirs = await seed(h.b.workspaceId);
    const res = await h.request(
      `/test_framework/v1/runs/bulk?run_ids=${theirs.ids[0]},99999,${mine.ids[1]}`,
      {
        headers: { "X-API-Key": h.a.apiKey },
      },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }[]).map((r) => r.id)).toEqual([mine.ids[1]]);
    const onlyTheirs = await bulk(`?run_ids=${theirs.ids.join(",")}`, { "X-CEKURA-API-KEY": h.a.apiKey });
    expect(await onlyTheirs.json()).toEqual([]);
  });

  it("refuses a missing or malformed run_ids with 400 naming it, and a missing key with 401", async () => {
    for (const query of [
      "",
      "?run_ids=",
      "?run_ids=1,x",
      `?run_ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(",")}`,
    ]) {
      const res = await bulk(query, { "X-CEKURA-API-KEY": h.a.apiKey });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        "run_ids: give 1 to 100 comma-separated integer ids",
      );
    }
    const res = await bulk("?run_ids=1", {});
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "a valid API key is required (X-API-Key, X-CEKURA-API-KEY or Authorization: Bearer)",
    );
  });
});

describe("X-CEKURA-API-KEY", () => {
  it("is accepted on Cekura's routes only, and refused when it names another key than X-API-Key", async () => {
    expect((await bulk("?run_ids=1", { "X-CEKURA-API-KEY": h.a.apiKey })).status).toBe(200);
    expect((await h.request("/v1/agents", { headers: { "X-CEKURA-API-KEY": h.a.apiKey } })).status).toBe(401);
    const both = await bulk("?run_ids=1", { "X-CEKURA-API-KEY": h.a.apiKey, "X-API-Key": h.b.apiKey });
    expect(both.status).toBe(401);
    const same = await bulk("?run_ids=1", { "X-CEKURA-API-KEY": h.a.apiKey, "X-API-Key": h.a.apiKey });
    expect(same.status).toBe(200);
  });
});

describe("manual LiveKit run routes", () => {
  const element = { scenario: 30, livekit_room_url: "wss://lk.example.com", access_token: "eyJ.x.y" };

  it("answer 400 naming why when no sidecar can run voice, creating nothing", async () => {
    for (const path of ["/v1/runs/livekit", "/test_framework/v1/scenarios-external/run_scenarios_livekit/"]) {
      const res = await h.request(path, {
        method: "POST",
        headers: { "X-CEKURA-API-KEY": h.a.apiKey, "Content-Type": "application/json" },
        body: JSON.stringify({ scenarios: [element], agent: 1 }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
        "voice runs cannot run here",
      );
    }
    const runs = await h.request("/v1/test-runs", { headers: { "X-API-Key": h.a.apiKey } });
    expect(((await runs.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it("hand the handler a parsed request and the route's kind, answering 201 with its ids", async () => {
    const seen: { principal: Principal; request: ManualLivekitRuns; kind: ManualRunKind }[] = [];
    const start: StartManualRuns = async (_services, principal, request, kind) => {
      seen.push({ principal, request, kind });
      return { id: 7, run_ids: request.scenarios.map((_, i) => 100 + i) };
    };
    let n = 0;
    const app = createGatewayApp(h.services, () => `req_${++n}`, { ratePerSec: 1, burst: 1000 }, start);
    const post = (
      path: string,
      body: unknown,
      headers: Record<string, string> = { "X-CEKURA-API-KEY": h.a.apiKey },
    ) =>
      app.request(path, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });

    const chat = { ...element, publish_data_message: { hello: "there" }, extra: "ignored" };
    const paths: [string, ManualRunKind][] = [
      ["/v1/runs/livekit", "voice"],
      ["/v1/runs/livekit-chat", "chat"],
      ["/test_framework/v1/scenarios-external/run_scenarios_livekit/", "voice"],
      ["/test_framework/v1/scenarios-external/run_scenarios_livekit_chat/", "chat"],
    ];
    for (const [path, kind] of paths) {
      const res = await post(path, { scenarios: [element, chat], agent: 3, vendor_field: 1 });
      expect({ path, status: res.status, body: await res.json() }).toEqual({
        path,
        status: 201,
        body: { id: 7, run_ids: [100, 101] },
      });
      expect(seen.at(-1)).toEqual({
        principal: { workspaceId: h.a.workspaceId, userId: h.a.userId, apiKeyId: h.a.apiKeyId },
        request: { scenarios: [element, { ...element, publish_data_message: { hello: "there" } }], agent: 3 },
        kind,
      });
    }
    expect((await post("/v1/runs/livekit", { scenarios: [element] }, {})).status).toBe(401);
  });

  it("refuse a bad body with 400 naming each field and rule, before the handler runs", async () => {
    let calls = 0;
    const app = createGatewayApp(
      h.services,
      () => "req",
      { ratePerSec: 1, burst: 1000 },
      async () => {
        calls++;
        return { id: 1, run_ids: [] };
      },
    );
    const post = async (body: unknown) => {
      const res = await app.request("/v1/runs/livekit", {
        method: "POST",
        headers: { "X-API-Key": h.a.apiKey, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        message: ((await res.json()) as { error: { message: string } }).error.message,
      };
    };
    expect(await post({ scenarios: [] })).toEqual({
      status: 400,
      message: "scenarios: must list at least one {scenario, livekit_room_url, access_token}",
    });
    expect(
      await post({ scenarios: [{ ...element, livekit_room_url: "https://lk.example.com", scenario: "30" }] }),
    ).toMatchObject({
      status: 400,
      message: expect.stringMatching(
        /^scenarios\[0\]\.scenario: .*; scenarios\[0\]\.livekit_room_url: must be a ws:\/\/ or wss:\/\/ URL, not https:\/\/$/,
      ),
    });
    expect(await post({ scenarios: Array.from({ length: 101 }, () => element) })).toEqual({
      status: 400,
      message: "scenarios: at most 100 runs per request",
    });
    expect(calls).toBe(0);
  });
});
