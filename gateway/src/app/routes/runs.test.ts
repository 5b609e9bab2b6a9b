import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuns, finishRun } from "../../db/repositories/runs.ts";
import { createTestRun } from "../../db/repositories/test-runs.ts";
import { findSecrets } from "../../security/find-secrets.ts";
import { createApp } from "../create-app.ts";
import { dbAuthenticator } from "../db-authenticator.ts";
import { createRunRoutes } from "./runs.ts";
import { AGENT_SECRET, parseSse, type RunsHarness, startRunsHarness } from "./runs-harness.fixture.ts";

let h: RunsHarness;
let agentId: number;
let scenarioId: number;
let testRunId: number;
let runIds: number[];
const bodies: string[] = [];

async function events(runId: number, lastEventId?: string, key = h.a.apiKey) {
  const res = await h.request(`/v1/runs/${runId}/events`, {
    headers: { "X-API-Key": key, ...(lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId }) },
  });
  const text = await res.text();
  bodies.push(text);
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    records: res.status === 200 ? parseSse(text) : [],
  };
}

beforeAll(async () => {
  h = await startRunsHarness();
  agentId = await h.seedAgent(h.a.workspaceId);
  scenarioId = await h.seedScenario(
    h.a.workspaceId,
    { script: [{ say: "one" }, { say: "two" }] },
    { name: "Two" },
  );
  const created = await h.call("POST", "/v1/test-runs", {
    agent_id: agentId,
    scenario_ids: [scenarioId],
    frequency: 2,
  });
  testRunId = created.body.test_run_id;
  await h.settled(testRunId);
  runIds = (await h.call("GET", `/v1/runs?test_run_id=${testRunId}`)).body.data.map(
    (r: { id: number }) => r.id,
  );
});
afterAll(async () => {
  expect(bodies.flatMap((b) => findSecrets(b, [AGENT_SECRET]))).toEqual([]);
  await h.close();
});

describe("GET /v1/runs", () => {
  it("answers a finished run as the CLI report's run object plus the platform's ids and times", async () => {
    const run = await h.call("GET", `/v1/runs/${runIds[0]}`);
    bodies.push(JSON.stringify(run.body));
    expect(run.body).toEqual({
      id: runIds[0],
      run_id: String(runIds[0]),
      test_run_id: testRunId,
      agent_id: agentId,
      scenario_id: scenarioId,
      scenario_name: "Two",
      attempt: 1,
      channel: "text",
      status: "completed",
      ended_reason: "caller_ended",
      ended_by: "caller",
      passed: true,
      duration_ms: expect.any(Number),
      transcript: [
        { role: "user", content: "one", at_ms: expect.any(Number) },
        {
          role: "agent",
          content: "You said: one",
          at_ms: expect.any(Number),
          latency_ms: expect.any(Number),
        },
        { role: "user", content: "two", at_ms: expect.any(Number) },
        {
          role: "agent",
          content: "You said: two",
          at_ms: expect.any(Number),
          latency_ms: expect.any(Number),
        },
      ],
      metadata: {},
      assertions: [],
      metrics: { turns: 2, latency_ms: expect.any(Object) },
      error: null,
      created_at: "2026-12-04T12:00:00.000Z",
      started_at: "2026-12-04T12:00:00.000Z",
      ended_at: "2026-12-04T12:00:00.000Z",
    });
    // The holder's measure of the conversation, not the (fixed) clock's.
    expect(run.body.duration_ms).toBeGreaterThan(0);
  });

  it("lists runs by ids or by test run, and refuses anything else", async () => {
    const byIds = await h.call("GET", `/v1/runs?ids=${runIds[1]},${runIds[0]},999999`);
    expect(byIds.body.data.map((r: { id: number }) => r.id)).toEqual(runIds);
    const cases: [string, number, string][] = [
      ["/v1/runs", 400, "give either ids=1,2,3 or test_run_id=N"],
      [`/v1/runs?ids=1&test_run_id=${testRunId}`, 400, "give either ids=1,2,3 or test_run_id=N"],
      ["/v1/runs?ids=1,x", 400, "ids: give 1 to 100 comma-separated integer ids"],
      ["/v1/runs?test_run_id=999999", 404, "test_run_id: no test run 999999"],
      ["/v1/runs/999999", 404, "run 999999 not found"],
    ];
    for (const [path, status, message] of cases) {
      const res = await h.call("GET", path);
      expect([res.status, res.body.error.message]).toEqual([status, message]);
    }
  });
});

describe("GET /v1/runs/{id}/events", () => {
  it("replays a finished run's events with increasing ids, then `ended` with the run object, and closes", async () => {
    const { status, type, records } = await events(runIds[0] as number);
    expect([status, type]).toEqual([200, "text/event-stream"]);
    expect(records.map((r) => [r.id, r.event])).toEqual([
      ["1", "status"],
      ["2", "transcript"],
      ["3", "transcript"],
      ["4", "transcript"],
      ["5", "transcript"],
      ["6", "ended"],
    ]);
    expect(records[0]?.data).toEqual({ status: "running" });
    expect(records[1]?.data).toMatchObject({ role: "user", content: "one" });
    expect(records[5]?.data).toEqual((await h.call("GET", `/v1/runs/${runIds[0]}`)).body);
  });

  it("resumes after Last-Event-ID, and sends nothing more after `ended`", async () => {
    expect((await events(runIds[0] as number, "4")).records.map((r) => r.id)).toEqual(["5", "6"]);
    expect((await events(runIds[0] as number, "6")).records).toEqual([]);
    expect((await events(runIds[0] as number, "x")).status).toBe(400);
  });

  it("streams a running run's events as they are stored", async () => {
    const slow = await h.seedAgent(h.a.workspaceId, { path: "/echo?behavior=slow:300" });
    const created = await h.call("POST", "/v1/test-runs", { agent_id: slow, scenario_ids: [scenarioId] });
    const [run] = (await h.call("GET", `/v1/runs?test_run_id=${created.body.test_run_id}`)).body.data;
    const res = await h.request(`/v1/runs/${run.id}/events`, { headers: { "X-API-Key": h.a.apiKey } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const seen: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      seen.push(
        parseSse(text)
          .map((r) => r.event)
          .join(","),
      );
    }
    // It arrived in pieces while the run went on, not in one replay at the end.
    expect(new Set(seen).size).toBeGreaterThan(2);
    expect(parseSse(text).map((r) => r.event)).toEqual([
      "status",
      "transcript",
      "transcript",
      "transcript",
      "transcript",
      "ended",
    ]);
    expect(parseSse(text).at(-1)?.data).toMatchObject({ id: run.id, status: "completed", passed: true });
  });

  it("sends heartbeats while nothing happens, bounds streams per key, and ends a stream whose `ended` never came", async () => {
    const app = createApp({
      auth: dbAuthenticator(h.services.db, h.services.now),
      log: () => undefined,
      newRequestId: () => "req_sse",
      maxBodyBytes: 1024,
      routes: (v1) =>
        createRunRoutes({ pollMs: 10, heartbeatMs: 30, endedGraceMs: 100, maxPerKey: 1 })(v1, h.services),
    });
    const saved = await createTestRun(
      h.services.db,
      h.a.workspaceId,
      { agentId, channel: "text", frequency: 1, successThreshold: 100 },
      0,
    );
    if (!saved.ok) throw new Error("no test run");
    const [run] =
      (await createRuns(
        h.services.db,
        h.a.workspaceId,
        saved.row.id,
        [{ agentId, scenarioId, scenarioName: "Two", attempt: 1, channel: "text" }],
        0,
      )) ?? [];
    const get = () => app.request(`/v1/runs/${run?.id}/events`, { headers: { "X-API-Key": h.a.apiKey } });
    const first = await get();
    const second = await get();
    expect([second.status, ((await second.json()) as { error: unknown }).error]).toEqual([
      429,
      {
        code: "rate_limited",
        message: "too many open event streams for this API key (at most 1)",
        request_id: "req_sse",
      },
    ]);
    const reader = (first.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(": heartbeat\n\n");
    // Stored as ended with no `ended` event (its holder died between the two writes).
    await finishRun(h.services.db, h.a.workspaceId, run?.id ?? 0, {
      status: "failed",
      endedReason: "internal_error",
      endedBy: "platform",
      passed: false,
      error: "lost",
      transcript: [],
      assertions: [],
      metrics: {},
      endedAtMs: 0,
    });
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    const ended = parseSse(rest).filter((e) => e.event === "ended");
    expect(ended).toEqual([
      {
        id: "1",
        event: "ended",
        data: expect.objectContaining({ id: run?.id, status: "failed", error: "lost" }),
      },
    ]);
    // A client that goes away from a stream that would never end frees its slot.
    const [queued] =
      (await createRuns(
        h.services.db,
        h.a.workspaceId,
        saved.row.id,
        [{ agentId, scenarioId, scenarioName: "Two", attempt: 2, channel: "text" }],
        0,
      )) ?? [];
    const getQueued = () =>
      app.request(`/v1/runs/${queued?.id}/events`, { headers: { "X-API-Key": h.a.apiKey } });
    const open = await getQueued();
    expect([open.status, (await getQueued()).status]).toEqual([200, 429]);
    await (open.body as ReadableStream<Uint8Array>).cancel();
    let again = await getQueued();
    for (let i = 0; i < 50 && again.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await getQueued();
    }
    expect(again.status).toBe(200);
    await (again.body as ReadableStream<Uint8Array>).cancel();
  });
});

describe("tenancy", () => {
  it("answers 404 to workspace b for a's test runs, runs and events, exactly as for missing ones", async () => {
    const b = h.b.apiKey;
    const paths = [
      `/v1/test-runs/${testRunId}`,
      `/api/public/v1/test_runs/${testRunId}`,
      `/v1/runs/${runIds[0]}`,
      `/v1/runs/${runIds[0]}/events`,
      `/v1/runs?test_run_id=${testRunId}`,
    ];
    for (const path of paths) {
      const res = await h.request(path, { headers: { "X-API-Key": b } });
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await h.call("POST", `/v1/test-runs/${testRunId}/cancel`, undefined, b)).status).toBe(404);
    expect((await h.call("GET", `/v1/runs?ids=${runIds.join(",")}`, undefined, b)).body).toEqual({
      data: [],
    });
    expect((await h.call("GET", "/v1/test-runs", undefined, b)).body).toEqual({
      data: [],
      next_cursor: null,
    });
    const bodyWithAs = await h.call(
      "POST",
      "/v1/test-runs",
      { agent_id: agentId, scenario_ids: [scenarioId] },
      b,
    );
    expect([bodyWithAs.status, bodyWithAs.body.error.message]).toEqual([
      404,
      `agent_id: no agent ${agentId}`,
    ]);
    const bAgent = await h.seedAgent(h.b.workspaceId);
    const theirScenario = await h.call(
      "POST",
      "/v1/test-runs",
      { agent_id: bAgent, scenario_ids: [scenarioId] },
      b,
    );
    expect([theirScenario.status, theirScenario.body.error.message]).toEqual([
      404,
      `scenario_ids: no scenario ${scenarioId}`,
    ]);
  });
});
