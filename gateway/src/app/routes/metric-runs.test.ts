/**
 * An agent's metrics evaluated on its gateway runs, end to end: routes → text run host → the
 * real reference text agent → the stored run and the test run's verdict. Judges call the fake
 * OpenAI-compatible server configured as the workspace LLM.
 */
import { type FakeChatRequest, type FakeOpenAI, startFakeOpenAI } from "@spar/devkit/fake-openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSecrets } from "../../security/find-secrets.ts";
import { AGENT_SECRET, type RunsHarness, startRunsHarness } from "./runs-harness.fixture.ts";

const LLM_KEY = "sk-llm-metrics-7c41";
let h: RunsHarness;
let model: FakeOpenAI;
let scenarioId: number;
const bodies: string[] = [];

/** The "model" only judges: it fails any transcript that never mentions a refund. */
function respond(req: FakeChatRequest) {
  const sent = JSON.stringify(req.messages);
  const refund = /refund/i.test(sent.replace(/Did the agent offer a refund\?/g, ""));
  return {
    content: JSON.stringify({
      verdict: refund ? "pass" : "fail",
      reasoning: refund ? "A refund was offered." : "The agent never offered a refund.",
    }),
  };
}

async function call(method: string, path: string, body?: unknown, key?: string) {
  const got = await h.call(method, path, body, key);
  bodies.push(JSON.stringify(got.body));
  return got;
}

/** A fresh echo agent carrying these metrics, run once on the one-line scenario. */
async function runWith(metrics: object[]) {
  const agentId = await h.seedAgent(h.a.workspaceId);
  const ids: number[] = [];
  for (const m of metrics) {
    const created = await call("POST", "/v1/metrics", m);
    expect(created.status).toBe(201);
    ids.push(created.body.id);
  }
  expect((await call("PATCH", `/v1/agents/${agentId}`, { metric_ids: ids })).status).toBe(200);
  const started = await call("POST", "/v1/test-runs", { agent_id: agentId, scenario_ids: [scenarioId] });
  expect(started.status).toBe(201);
  const testRun = (await h.settled(started.body.test_run_id)).body;
  bodies.push(JSON.stringify(testRun));
  const [runId] = (await call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`)).body.data.map(
    (r: { id: number }) => r.id,
  );
  const run = (await call("GET", `/v1/runs/${runId}`)).body;
  return { testRun, run };
}

const NO_REFUND = 'expected an agent turn matching "refund"; none of 1 did (last: "You said: one")';
const scenarioAssertion = {
  kind: "agent_said",
  passed: true,
  detail: 'agent turn 1 matched /you said/i: "You said: one"',
};

beforeAll(async () => {
  h = await startRunsHarness();
  model = await startFakeOpenAI({ apiKey: LLM_KEY, respond });
  scenarioId = await h.seedScenario(
    h.a.workspaceId,
    { script: [{ say: "one" }], assertions: [{ agent_said: "/you said/i" }] },
    { name: "One" },
  );
});
afterAll(async () => {
  expect(bodies.flatMap((b) => findSecrets(b, [AGENT_SECRET, LLM_KEY]))).toEqual([]);
  await model.close();
  await h.close();
});

describe("agent metrics on gateway runs", () => {
  it("fails the run and the test run when a critical assertion metric fails", async () => {
    const { testRun, run } = await runWith([
      { name: "mentions refunds", kind: "assertion", assertion: { agent_said: "refund" }, critical: true },
    ]);
    expect(run.passed).toBe(false);
    expect(run.status).toBe("completed");
    expect(run.assertions).toEqual([
      scenarioAssertion,
      {
        kind: "metric:mentions refunds",
        passed: false,
        detail: `(agent_said, critical) ${NO_REFUND}`,
      },
    ]);
    expect(run.error).toBe(`metric:mentions refunds: (agent_said, critical) ${NO_REFUND}`);
    expect(testRun).toMatchObject({ verdict: "failed", pass_rate: 0, runs: { total: 1, passed: 0 } });
    expect(testRun.failed_runs).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^caller_ended: metric:mentions refunds: /) }),
    ]);
  });

  it("passes the run when the same metric is not critical, reporting it failed", async () => {
    const { testRun, run } = await runWith([
      { name: "mentions refunds", kind: "assertion", assertion: { agent_said: "refund" }, critical: false },
    ]);
    expect(run.passed).toBe(true);
    expect(run.error).toBeNull();
    expect(run.assertions).toEqual([
      scenarioAssertion,
      {
        kind: "metric:mentions refunds",
        passed: false,
        detail: `(agent_said, non-critical) ${NO_REFUND}`,
      },
    ]);
    expect(testRun).toMatchObject({ verdict: "passed", pass_rate: 100, failed_runs: [] });
  });

  it("passes the run when a critical metric holds, text_only metrics included on text runs", async () => {
    const { testRun, run } = await runWith([
      { name: "echoes", kind: "assertion", assertion: { agent_said: "/said: one/" }, critical: true },
      {
        name: "no markdown",
        kind: "assertion",
        assertion: { agent_never_said: "/\\*\\*/" },
        applies_to: "text_only",
        critical: true,
      },
    ]);
    expect(run.passed).toBe(true);
    expect(run.assertions.map((a: { kind: string; passed: boolean }) => [a.kind, a.passed])).toEqual([
      ["agent_said", true],
      ["metric:echoes", true],
      ["metric:no markdown", true],
    ]);
    expect(run.assertions[2].detail).toMatch(/^\(agent_never_said, critical\) /);
    expect(testRun.verdict).toBe("passed");
  });

  it("fails the run when a critical judge metric's judge (the workspace LLM) says fail", async () => {
    const llm = await call("PUT", "/v1/settings/llm", {
      base_url: model.baseUrl,
      model: "fake-judge",
      api_key: LLM_KEY,
    });
    expect(llm.status).toBe(200);
    const before = model.chatRequests().length;
    const { testRun, run } = await runWith([
      { name: "offers refund", kind: "judge", judge: "Did the agent offer a refund?", critical: true },
    ]);
    expect(model.chatRequests().length - before).toBe(1);
    expect(JSON.stringify(model.chatRequests().at(-1)?.messages)).toContain("Did the agent offer a refund?");
    expect(run.passed).toBe(false);
    expect(run.assertions[1]).toMatchObject({
      kind: "metric:offers refund",
      passed: false,
      detail: expect.stringMatching(/^\(judge, critical\) /),
      reasoning: "The agent never offered a refund.",
    });
    expect(run.error).toMatch(/^metric:offers refund: \(judge, critical\) /);
    expect(testRun.verdict).toBe("failed");
  });

  it("refuses to start a test run whose agent has a judge metric but the workspace no LLM", async () => {
    const agentId = await h.seedAgent(h.b.workspaceId);
    const scenario = await h.seedScenario(h.b.workspaceId, { script: [{ say: "hi" }] });
    const metric = await call(
      "POST",
      "/v1/metrics",
      { name: "polite", kind: "judge", judge: "Polite?" },
      h.b.apiKey,
    );
    await call("PATCH", `/v1/agents/${agentId}`, { metric_ids: [metric.body.id] }, h.b.apiKey);
    const started = await call(
      "POST",
      "/v1/test-runs",
      { agent_id: agentId, scenario_ids: [scenario] },
      h.b.apiKey,
    );
    expect(started.status).toBe(400);
    expect(started.body.error.message).toBe(
      `agent ${agentId}: metric ${metric.body.id} (polite): its judge needs the workspace LLM (PUT /v1/settings/llm)`,
    );
  });
});
