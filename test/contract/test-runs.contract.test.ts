/**
 * The gateway contract, part 4: test runs (also on RubricHQ's CI path), runs and their event
 * streams over HTTP, against the real reference text agent: the verdict arithmetic, every
 * refusal the spec names (each creating nothing), resuming a stream, the per-key stream limit
 * and cancelling.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets } from "@spar/gateway";
import { endedRunViewSchema, testRunViewSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import {
  type ContractClient,
  contractClient,
  expectError,
  pollUntil,
  readEvents,
} from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const AGENT_SECRET = "test-runs-agent-secret-e5d1";

describe.each(TARGETS)("gateway contract on $name: test runs and runs", (target) => {
  let gw: RunningTarget;
  let agent: ReferenceTextAgent;
  let client: ContractClient;
  let agentId: number;
  let finishedTestRun: number;
  const call: ContractClient["call"] = (...args) => client.call(...args);

  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    gw = await target.start();
    client = contractClient(gw);
    const upserted = await call("PUT", "/v1/suites", {
      version: 1,
      agent: { id: "echo-bot", text: { url: `${agent.url}/echo`, secret: AGENT_SECRET, settle_ms: 20 } },
      scenarios: [
        { id: "ping", tags: ["smoke"], script: [{ say: "ping" }, { expect: "/said: ping/" }] },
        { id: "silence", tags: ["smoke"], script: [{ say: "pong" }, { expect: "/never said/" }] },
      ],
    });
    expect(upserted.status).toBe(200);
    agentId = upserted.body.agent_id;
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
  });

  const settled = (id: number) =>
    pollUntil(
      () => call("GET", `/v1/test-runs/${id}`),
      (res) => res.body.status === "done",
    );

  it("opens each run's socket with the spec's handshake headers: secret, agent, scenario, run and test run ids", async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const headersAgent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    headersAgent.on("connection", (socket, req) => {
      seen.push(req.headers);
      socket.close(1000, "headers seen");
    });
    await new Promise((r) => headersAgent.once("listening", r));
    try {
      const { port } = headersAgent.address() as { port: number };
      const upserted = await call("PUT", "/v1/suites", {
        version: 1,
        agent: {
          id: "headers-bot",
          text: { url: `ws://127.0.0.1:${port}/h`, secret: "headers-secret-91c2" },
        },
        scenarios: [{ id: "hello", script: [{ say: "hello" }] }],
      });
      expect(upserted.status).toBe(200);
      const started = await call("POST", "/v1/test-runs", {
        agent_id: upserted.body.agent_id,
        scenario_ids: [upserted.body.scenarios[0].id],
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      await settled(started.body.test_run_id);
      const runs = await call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`);
      expect(runs.body.data).toHaveLength(1);
      expect(seen).toHaveLength(1);
      const pick = (name: string) => seen[0]?.[name];
      expect({
        secret: pick("x-rubric-secret"),
        agent: pick("x-rubric-agent-id"),
        scenario: pick("x-rubric-scenario-id"),
        run: pick("x-rubric-run-id"),
        batch: pick("x-rubric-batch-id"),
      }).toEqual({
        secret: "headers-secret-91c2",
        agent: String(upserted.body.agent_id),
        scenario: String(upserted.body.scenarios[0].id),
        run: String(runs.body.data[0].id),
        batch: String(started.body.test_run_id),
      });
    } finally {
      await new Promise((r) => headersAgent.close(r));
    }
  });

  it("plays each scenario frequency times and settles the verdict from the pass rate", async () => {
    const started = await call("POST", "/v1/test-runs", {
      agent_id: agentId,
      tags: ["smoke"],
      frequency: 2,
      success_threshold: 50,
      name: "CI org/repo abc1234",
      ci_metadata: { sha: "abc1234", branch: "main" },
    });
    expect(started.status).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual(["report_url", "test_run_id"]);
    finishedTestRun = started.body.test_run_id;
    const view = testRunViewSchema.strict().parse((await settled(finishedTestRun)).body);
    expect(view).toMatchObject({
      name: "CI org/repo abc1234",
      agent_id: agentId,
      channel: "text",
      status: "done",
      verdict: "passed",
      pass_rate: 50,
      success_threshold: 50,
      runs: { total: 4, completed: 4, failed: 0, passed: 2 },
      ci_metadata: { sha: "abc1234", branch: "main" },
    });
    expect(view.finished_at).not.toBeNull();
    expect(view.failed_runs).toHaveLength(2);
    for (const failed of view.failed_runs) {
      expect(failed.scenario_name).toBe("silence");
      expect(failed.reason).toContain("expectation failed");
    }
    const vendor = await call("GET", `/api/public/v1/test_runs/${finishedTestRun}`);
    expect(vendor.body).toEqual(view);
    const list = await call("GET", "/v1/test-runs");
    expect(list.body.data[0]).toEqual(view);
  });

  it("answers the runs of a test run, by test run and by ids, each the ended run object", async () => {
    const byTestRun = await call("GET", `/v1/runs?test_run_id=${finishedTestRun}`);
    expect(byTestRun.body.data).toHaveLength(4);
    for (const run of byTestRun.body.data) {
      expect(endedRunViewSchema.parse(run)).toMatchObject({
        test_run_id: finishedTestRun,
        agent_id: agentId,
      });
      expect((await call("GET", `/v1/runs/${run.id}`)).body).toEqual(run);
    }
    const [a, b] = byTestRun.body.data;
    const byIds = await call("GET", `/v1/runs?ids=${b.id},${a.id},999999`);
    expect(byIds.body.data.map((r: { id: number }) => r.id)).toEqual([a.id, b.id]);
    expectError(await call("GET", "/v1/runs"), 400, "bad_request");
    expectError(await call("GET", `/v1/runs?ids=${a.id}&test_run_id=${finishedTestRun}`), 400, "bad_request");
    expectError(await call("GET", "/v1/runs?ids=1,x"), 400, "bad_request", /^ids: /);
    expectError(await call("GET", "/v1/runs/999999"), 404, "not_found");
    expectError(await call("GET", "/v1/runs?test_run_id=999999"), 404, "not_found", /^test_run_id: /);
    expectError(await call("GET", "/v1/test-runs/999999"), 404, "not_found");
    expectError(await call("GET", "/v1/test-runs?limit=101"), 400, "bad_request", /^limit: /);
  });

  it("replays a finished run's events with increasing ids, ending with the run object, and resumes after Last-Event-ID", async () => {
    const runs = (await call("GET", `/v1/runs?test_run_id=${finishedTestRun}`)).body.data;
    const passed = runs.find((r: { passed: boolean }) => r.passed);
    const events = await readEvents(gw, client, passed.id);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.event).toBe("status");
    const transcript = events.filter((e) => e.event === "transcript").map((e) => JSON.parse(e.data));
    expect(transcript).toEqual(passed.transcript);
    const last = events.at(-1);
    expect(last?.event).toBe("ended");
    expect(JSON.parse(last?.data ?? "null")).toEqual(passed);

    const resumed = await readEvents(gw, client, passed.id, "2");
    expect(resumed).toEqual(events.slice(2));
    expect(await readEvents(gw, client, passed.id, last?.id)).toEqual([]);
    const bad = await call("GET", `/v1/runs/${passed.id}/events`, undefined, {
      headers: { "Last-Event-ID": "x" },
    });
    expectError(bad, 400, "bad_request", /^Last-Event-ID: /);
  });

  it("takes RubricHQ's body on the vendor path, ignoring fields it does not use, which /v1 refuses by name", async () => {
    const body = { agent_id: agentId, tags: ["smoke"], run_as: "ci-bot" };
    expectError(await call("POST", "/v1/test-runs", body), 400, "bad_request", /run_as/);
    const vendor = await call("POST", "/api/public/v1/test_runs", body);
    expect(vendor.status).toBe(201);
    const view = (await settled(vendor.body.test_run_id)).body;
    expect(view).toMatchObject({ status: "done", verdict: "failed", pass_rate: 50, runs: { total: 2 } });
  });

  it("refuses every bad test run with the code the spec names, creating nothing", async () => {
    const before = (await call("GET", "/v1/test-runs")).body.data.length;
    const noSecret = await call("POST", "/v1/agents", {
      name: "bare",
      text: { url: `${agent.url}/echo`, secret: AGENT_SECRET },
    });
    expect((await call("PATCH", `/v1/agents/${noSecret.body.id}`, { text: { secret: null } })).status).toBe(
      200,
    );
    const refusals: [unknown, number, string, RegExp][] = [
      [{ tags: ["smoke"] }, 400, "bad_request", /agent_id/],
      [{ agent_id: agentId, tags: ["smoke"], frequency: 6 }, 400, "bad_request", /^frequency: /],
      [
        { agent_id: agentId, tags: ["smoke"], success_threshold: 101 },
        400,
        "bad_request",
        /^success_threshold: /,
      ],
      [{ agent_id: agentId, tags: ["nothing-carries-this"] }, 400, "bad_request", /no scenarios selected/],
      [
        { agent_id: agentId, tags: ["smoke"], channel: "phone" },
        400,
        "bad_request",
        /^channel: phone is not supported yet/,
      ],
      [{ agent_id: agentId, tags: ["smoke"], channel: "web" }, 400, "bad_request", /^channel: /],
      [{ agent_id: noSecret.body.id, tags: ["smoke"] }, 400, "bad_request", /secret/],
      [{ agent_id: 999999, tags: ["smoke"] }, 404, "not_found", /^agent_id: /],
      [{ agent_id: agentId, scenario_ids: [999999] }, 404, "not_found", /^scenario_ids: /],
    ];
    for (const [body, status, code, message] of refusals) {
      expectError(await call("POST", "/v1/test-runs", body), status, code, message);
    }
    expect((await call("GET", "/v1/test-runs")).body.data).toHaveLength(before);
  });

  it("limits open event streams per key (429), and cancelling ends the runs, closes the streams and is 409 once done", async () => {
    const silent = await call("POST", "/v1/agents", {
      name: "silent",
      text: { url: `${agent.url}/echo?behavior=silent`, secret: AGENT_SECRET, per_turn_timeout_s: 600 },
    });
    const scenario = await call("POST", "/v1/scenarios", { script: [{ say: "hello?" }, { expect: "/./" }] });
    const started = await call("POST", "/v1/test-runs", {
      agent_id: silent.body.id,
      scenario_ids: [scenario.body.id],
    });
    const id = started.body.test_run_id;
    const running = await pollUntil(
      () => call("GET", `/v1/runs?test_run_id=${id}`),
      (res) => res.body.data[0]?.status === "running",
    );
    const runId = running.body.data[0].id;
    expect(running.body.data[0].status).toBe("running");

    const streams = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${gw.baseUrl}/v1/runs/${runId}/events`, { headers: { "X-API-Key": gw.apiKey } }),
      ),
    );
    expect(streams.map((s) => s.status)).toEqual(Array(10).fill(200));
    expectError(await call("GET", `/v1/runs/${runId}/events`), 429, "rate_limited");

    const cancelled = await call("POST", `/v1/test-runs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: "done",
      verdict: "failed",
      runs: { total: 1, passed: 0 },
    });
    for (const stream of streams) {
      const text = await stream.text();
      client.record(text);
      expect(text).toMatch(/event: ended\n[\s\S]*"status":"interrupted"/);
    }
    expect((await call("GET", `/v1/runs/${runId}`)).body).toMatchObject({
      status: "interrupted",
      ended_reason: "interrupted",
    });
    expectError(await call("POST", `/v1/test-runs/${id}/cancel`), 409, "conflict");
    expectError(await call("POST", "/v1/test-runs/999999/cancel"), 404, "not_found");
  });

  it("never answers or logs the agent's secret or the key", () => {
    expect(findSecrets(client.answers.join("\n"), [AGENT_SECRET, gw.apiKey])).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), [AGENT_SECRET, gw.apiKey])).toEqual([]);
  });
});
