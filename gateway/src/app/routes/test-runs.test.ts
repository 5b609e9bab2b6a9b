import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCreditBalance } from "../../db/repositories/credits.ts";
import { putLlmSettings } from "../../db/repositories/settings.ts";
import { sealContext } from "../../db/sealed-fields.ts";
import { findSecrets } from "../../security/find-secrets.ts";
import { AGENT_SECRET, type RunsHarness, startRunsHarness } from "./runs-harness.fixture.ts";

let h: RunsHarness;
let agentId: number;
let pass: number;
let fail: number;
const bodies: string[] = [];

async function call(method: string, path: string, body?: unknown, key?: string) {
  const res = await h.call(method, path, body, key);
  bodies.push(JSON.stringify(res.body ?? null));
  return res;
}

beforeAll(async () => {
  h = await startRunsHarness();
  agentId = await h.seedAgent(h.a.workspaceId);
  pass = await h.seedScenario(
    h.a.workspaceId,
    { script: [{ say: "ping" }] },
    { name: "Ping", tags: ["smoke"] },
  );
  fail = await h.seedScenario(
    h.a.workspaceId,
    { script: [{ say: "refund please" }], assertions: [{ agent_said: "refund approved" }] },
    { name: "Refund", tags: ["billing"] },
  );
});
afterAll(async () => {
  expect(bodies.flatMap((b) => findSecrets(b, [AGENT_SECRET, "sk-llm-key-123456"]))).toEqual([]);
  await h.close();
});

describe("POST /v1/test-runs with the reference text agent", () => {
  it("runs 2 scenarios × frequency 2 and settles the verdict from the stored runs", async () => {
    const created = await call("POST", "/v1/test-runs", {
      agent_id: agentId,
      scenario_ids: [pass],
      tags: ["billing"],
      frequency: 2,
      success_threshold: 50,
      name: "CI org/repo abc1234",
      ci_metadata: { sha: "abc1234", branch: "main" },
    });
    expect(created.status).toBe(201);
    const id = created.body.test_run_id;
    expect(created.body).toEqual({
      test_run_id: id,
      report_url: `http://127.0.0.1:8787/dashboard/test-runs/${id}`,
    });
    const { body } = await h.settled(id);
    const runIds = (await call("GET", `/v1/runs?test_run_id=${id}`)).body.data.map(
      (r: { id: number }) => r.id,
    );
    expect(runIds).toHaveLength(4);
    expect(body).toEqual({
      test_run_id: id,
      name: "CI org/repo abc1234",
      agent_id: agentId,
      channel: "text",
      status: "done",
      verdict: "passed",
      pass_rate: 50,
      success_threshold: 50,
      runs: { total: 4, completed: 4, failed: 0, passed: 2 },
      failed_runs: runIds.slice(2).map((runId: number) => ({
        run_id: runId,
        scenario_id: fail,
        scenario_name: "Refund",
        reason: expect.stringMatching(/^caller_ended: .*refund approved/),
      })),
      report_url: `http://127.0.0.1:8787/dashboard/test-runs/${id}`,
      ci_metadata: { sha: "abc1234", branch: "main" },
      created_at: "2026-12-04T12:00:00.000Z",
      finished_at: "2026-12-04T12:00:00.000Z",
    });
    // The handshake ids: the platform's ids as decimal strings.
    const jobs = h.jobs.filter((j) => j.testRunId === id);
    expect(jobs.map((j) => [j.suite.agent.id, j.scenario.id, j.runId, j.attempt])).toEqual([
      [String(agentId), String(pass), runIds[0], 1],
      [String(agentId), String(pass), runIds[1], 2],
      [String(agentId), String(fail), runIds[2], 1],
      [String(agentId), String(fail), runIds[3], 2],
    ]);
    expect(jobs[0]?.suite.agent.text?.secret).toBe(AGENT_SECRET);
  });

  it("fails the verdict of a silent agent, each run naming why", async () => {
    const silent = await h.seedAgent(h.a.workspaceId, {
      path: "/echo?behavior=silent",
      per_turn_timeout_s: 0.3,
    });
    const created = await call("POST", "/v1/test-runs", { agent_id: silent, scenario_ids: [pass, fail] });
    const { body } = await h.settled(created.body.test_run_id);
    expect(body).toMatchObject({
      status: "done",
      verdict: "failed",
      pass_rate: 0,
      success_threshold: 100,
      runs: { total: 2, completed: 0, failed: 2, passed: 0 },
    });
    expect(body.failed_runs.map((r: { reason: string }) => r.reason)).toEqual([
      expect.stringMatching(/^agent_timeout: /),
      expect.stringMatching(/^agent_timeout: /),
    ]);
  });

  it("takes the vendor's body with int ids and Bearer auth, ignoring fields it does not know", async () => {
    const auth = { Authorization: `Bearer ${h.a.apiKey}`, "Content-Type": "application/json" };
    const res = await h.request("/api/public/v1/test_runs", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        agent_id: agentId,
        scenario_ids: [pass],
        frequency: 3,
        github_run_attempt: "2",
      }),
    });
    expect(res.status).toBe(201);
    const { test_run_id: id } = (await res.json()) as { test_run_id: number };
    let got: { verdict: string; runs: { total: number; completed: number; failed: number } };
    do {
      await new Promise((r) => setTimeout(r, 50));
      got = (await (
        await h.request(`/api/public/v1/test_runs/${id}`, { headers: auth })
      ).json()) as typeof got;
    } while (got.verdict === "pending");
    expect(got.verdict).toBe("passed");
    expect(got.runs.completed + got.runs.failed).toBe(got.runs.total);
    expect(got.runs.total).toBe(3);
  });

  it("answers every refusal with its field and nothing created", async () => {
    const before = (await call("GET", "/v1/test-runs")).body.data.length;
    const voiceAgent = await h.seedAgent(h.a.workspaceId);
    const { updateAgent } = await import("../../db/repositories/agents.ts");
    await updateAgent(
      h.services.db,
      h.a.workspaceId,
      voiceAgent,
      { voice: { livekit: { mode: "client" } } },
      0,
    );
    const noSecret = await h.seedAgent(h.a.workspaceId);
    await updateAgent(h.services.db, h.a.workspaceId, noSecret, { textSecret: null }, 0);
    const persona = await h.seedScenario(h.a.workspaceId, { persona: "an angry customer" });
    const cases: [unknown, number, RegExp][] = [
      [{ agent_id: agentId, scenario_ids: [pass], colour: "red" }, 400, /colour/],
      [{ agent_id: agentId, scenario_ids: [pass], frequency: 6 }, 400, /^frequency: /],
      [{ agent_id: agentId, scenario_ids: [pass], success_threshold: 101 }, 400, /^success_threshold: /],
      [{ agent_id: 999_999, scenario_ids: [pass] }, 404, /^agent_id: no agent 999999$/],
      [{ agent_id: agentId, scenario_ids: [pass, 999_998] }, 404, /^scenario_ids: no scenario 999998$/],
      [{ agent_id: agentId, tags: ["nobody-has-it"] }, 400, /^no scenarios selected/],
      [
        { agent_id: agentId, scenario_ids: [pass], channel: "phone" },
        400,
        /^channel: phone is not supported yet/,
      ],
      [
        { agent_id: agentId, scenario_ids: [pass], channel: "web" },
        400,
        /^channel: agent \d+ has no voice channel$/,
      ],
      [
        { agent_id: voiceAgent, scenario_ids: [pass], channel: "web" },
        400,
        /^channel: voice runs cannot run here: no sidecar is wired in$/,
      ],
      [{ agent_id: noSecret, scenario_ids: [pass] }, 400, /its text channel has no secret/],
      [
        { agent_id: agentId, scenario_ids: [persona] },
        400,
        new RegExp(`^scenario ${persona}: .*PUT /v1/settings/llm`),
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await call("POST", "/v1/test-runs", body);
      expect([res.status, res.body.error.message]).toEqual([status, expect.stringMatching(message)]);
    }
    expect((await call("GET", "/v1/test-runs")).body.data.length).toBe(before);
  });

  it("gives persona scenarios the workspace LLM, its key opened", async () => {
    const persona = await h.seedScenario(h.a.workspaceId, { persona: "a calm customer", max_turns: 1 });
    const { secrets } = h.services;
    const sealed = await secrets.seal(
      "sk-llm-key-123456",
      sealContext(h.a.workspaceId, "settings.llm.api_key"),
    );
    await putLlmSettings(
      h.services.db,
      h.a.workspaceId,
      {
        baseUrl: "http://127.0.0.1:9/v1",
        model: "m",
        apiKey: { ciphertext: sealed, keyId: secrets.currentKeyId },
      },
      0,
    );
    const created = await call("POST", "/v1/test-runs", { agent_id: agentId, scenario_ids: [persona] });
    expect(created.status).toBe(201);
    await h.settled(created.body.test_run_id);
    const job = h.jobs.find((j) => j.testRunId === created.body.test_run_id);
    expect(job?.suite.caller?.llm).toEqual({
      base_url: "http://127.0.0.1:9/v1",
      model: "m",
      api_key: "sk-llm-key-123456",
    });
    await putLlmSettings(h.services.db, h.a.workspaceId, { baseUrl: null, model: null, apiKey: null }, 0);
  });

  it("lists test runs newest first, a page at a time", async () => {
    const first = await call("GET", "/v1/test-runs?limit=1");
    const all = await call("GET", "/v1/test-runs");
    const ids = all.body.data.map((t: { test_run_id: number }) => t.test_run_id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(first.body.data.map((t: { test_run_id: number }) => t.test_run_id)).toEqual([ids[0]]);
    const second = await call("GET", `/v1/test-runs?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.data[0].test_run_id).toBe(ids[1]);
    expect((await call("GET", "/v1/test-runs?limit=0")).status).toBe(400);
    expect((await call("GET", "/v1/test-runs?cursor=nope!")).body.error.message).toBe(
      "cursor: not a cursor this API issued; pass a previous page's next_cursor",
    );
    expect((await call("GET", "/v1/test-runs/abc")).status).toBe(404);
  });

  it("cancels a running test run: its runs end interrupted and it settles at once", async () => {
    const slow = await h.seedAgent(h.a.workspaceId, { path: "/echo?behavior=slow:5000" });
    const created = await call("POST", "/v1/test-runs", {
      agent_id: slow,
      scenario_ids: [pass],
      frequency: 2,
    });
    const id = created.body.test_run_id;
    await new Promise((r) => setTimeout(r, 200));
    const cancelled = await call("POST", `/v1/test-runs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: "done",
      verdict: "failed",
      runs: { total: 2, completed: 0, failed: 2, passed: 0 },
      failed_runs: [
        { reason: `interrupted: the test run was cancelled (POST /v1/test-runs/${id}/cancel)` },
        { reason: `interrupted: the test run was cancelled (POST /v1/test-runs/${id}/cancel)` },
      ],
    });
    expect((await call("POST", `/v1/test-runs/${id}/cancel`)).status).toBe(409);
    expect((await call("POST", "/v1/test-runs/999999/cancel")).status).toBe(404);
  });

  it("ends the runs no host holds when their test run is cancelled", async () => {
    const { createTestRun } = await import("../../db/repositories/test-runs.ts");
    const { createRuns } = await import("../../db/repositories/runs.ts");
    const saved = await createTestRun(
      h.services.db,
      h.a.workspaceId,
      { agentId, channel: "text", frequency: 1, successThreshold: 100 },
      0,
    );
    if (!saved.ok) throw new Error("no test run");
    await createRuns(
      h.services.db,
      h.a.workspaceId,
      saved.row.id,
      [{ agentId, scenarioId: pass, scenarioName: "Ping", attempt: 1, channel: "text" }],
      0,
    );
    const cancelled = await call("POST", `/v1/test-runs/${saved.row.id}/cancel`);
    expect(cancelled.body).toMatchObject({
      status: "done",
      verdict: "failed",
      runs: { total: 1, failed: 1 },
    });
  });
});

describe("credits", () => {
  it("refuses with 402 and creates nothing when the balance does not cover every run, fail-closed", async () => {
    const c = await startRunsHarness({ credits: { enabled: true, textRunCost: 1, voiceRunCost: 10 } });
    try {
      const agent = await c.seedAgent(c.a.workspaceId);
      const scenario = await c.seedScenario(c.a.workspaceId, { script: [{ say: "hi" }] });
      const body = { agent_id: agent, scenario_ids: [scenario], frequency: 3 };
      const refused = await c.call("POST", "/v1/test-runs", body);
      expect([refused.status, refused.body.error]).toEqual([
        402,
        {
          code: "payment_required",
          message: "the test run needs 3 credits (3 text runs); the balance is 0",
          request_id: "req_1",
        },
      ]);
      const { addCredits } = await import("../../db/repositories/credits.ts");
      await addCredits(c.services.db, c.a.workspaceId, 4, { reason: "test", nowMs: 0 });
      expect((await c.call("POST", "/v1/test-runs", { ...body, frequency: 5 })).status).toBe(402);
      expect((await c.call("GET", "/v1/test-runs")).body.data).toEqual([]);
      expect(await getCreditBalance(c.services.db, c.a.workspaceId)).toBe(4);
      const ok = await c.call("POST", "/v1/test-runs", body);
      expect(ok.status).toBe(201);
      expect(await getCreditBalance(c.services.db, c.a.workspaceId)).toBe(1);
      await c.settled(ok.body.test_run_id);
    } finally {
      await c.close();
    }
    // A price the ledger cannot debit (not an integer) is a failed debit: refused, nothing created.
    const broken = await startRunsHarness({ credits: { enabled: true, textRunCost: 0.5, voiceRunCost: 10 } });
    try {
      const agent = await broken.seedAgent(broken.a.workspaceId);
      const scenario = await broken.seedScenario(broken.a.workspaceId, { script: [{ say: "hi" }] });
      const res = await broken.call("POST", "/v1/test-runs", { agent_id: agent, scenario_ids: [scenario] });
      expect([res.status, res.body.error.message]).toEqual([
        402,
        "credits could not be checked, so nothing was started; try again",
      ]);
      expect((await broken.call("GET", "/v1/test-runs")).body.data).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});
