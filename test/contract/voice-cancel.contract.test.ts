/**
 * The gateway contract, cancelling voice runs: `POST /v1/test-runs/{id}/cancel` tells the
 * sidecar holding each running call to stop it (`DELETE /v1/jobs/{id}`, a real sidecar in a
 * child process); the call ends `interrupted` with what it had — its transcript so far and its
 * recording, delivered through the sidecar's outbox — and the run reads exactly that. A sidecar
 * that is gone cannot be told: that is logged, and the run still ends `interrupted`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildSidecar, startChildSidecar } from "./child-sidecar.ts";
import { type ContractClient, contractClient, pollUntil } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";
import { SIDECAR_TOKEN } from "./scripted-sidecar.ts";

describe.each(TARGETS)("gateway contract on $name: cancelling voice runs", (target) => {
  let sidecar: ChildSidecar;
  let gw: RunningTarget;
  let client: ContractClient;
  let agentId: number;
  let scenarioId: number;

  // One gateway and sidecar per runtime (a Worker takes seconds to start); the last test kills the sidecar.
  beforeAll(async () => {
    sidecar = await startChildSidecar();
    gw = await target.start({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
    client = contractClient(gw);
    const agent = await client.call("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" } },
    });
    const scenario = await client.call("POST", "/v1/scenarios", {
      name: "Hello",
      script: [{ say: "hello" }],
    });
    agentId = agent.body.id;
    scenarioId = scenario.body.id;
  }, 90_000);

  afterAll(async () => {
    sidecar?.kill();
    await gw?.close();
  });

  /** One running voice run of a new test run. */
  async function runningVoiceRun(): Promise<{ testRunId: number; runId: number }> {
    const started = await client.call("POST", "/v1/test-runs", {
      agent_id: agentId,
      scenario_ids: [scenarioId],
    });
    expect(started.status).toBe(201);
    const testRunId: number = started.body.test_run_id;
    const runId: number = (await client.call("GET", `/v1/runs?test_run_id=${testRunId}`)).body.data[0].id;
    const running = await pollUntil(
      () => client.call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status === "running",
    );
    expect(running.body.status).toBe("running");
    return { testRunId, runId };
  }

  it("stops the call at its sidecar, and the run keeps the transcript and recording the call ended with", async () => {
    const { testRunId, runId } = await runningVoiceRun();
    const startedAt = performance.now();
    const cancelled = await client.call("POST", `/v1/test-runs/${testRunId}/cancel`);
    const cancelMs = performance.now() - startedAt;
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: "done",
      verdict: "failed",
      runs: { total: 1, passed: 0 },
    });
    // The sidecar's result settled the run, well before the cancel's own 15 s wait ran out.
    expect(cancelMs).toBeLessThan(10_000);

    const run = await client.call("GET", `/v1/runs/${runId}`);
    expect(run.body).toMatchObject({
      status: "interrupted",
      ended_reason: "interrupted",
      passed: false,
      error: "the call was interrupted (cancelled by the gateway)",
      transcript: [{ role: "user", content: "hello, is anyone there?", start_ms: 500, end_ms: 1_700 }],
      recording: { stereo_url: `${gw.baseUrl}/v1/runs/${runId}/recording`, sample_rate_hz: 48_000 },
    });
    // The sidecar's job ended interrupted and its result was delivered.
    const job = await fetch(`${sidecar.url}/v1/jobs/${runId}`, {
      headers: { authorization: `Bearer ${SIDECAR_TOKEN}` },
    });
    expect(await job.json()).toMatchObject({
      status: "interrupted",
      delivery: "delivered",
      result: { ended_reason: "interrupted" },
    });
    const wav = await fetch(`${gw.baseUrl}/v1/runs/${runId}/recording?participant=caller`, {
      headers: { "X-API-Key": gw.apiKey },
    });
    expect(await wav.text()).toBe(`RIFF fake user audio of run ${runId}`);
  });

  it("ends the run interrupted and logs it when the sidecar holding the call is gone", async () => {
    const { testRunId, runId } = await runningVoiceRun();
    const exited = new Promise((resolve) => sidecar.process.once("exit", resolve));
    sidecar.kill();
    await exited;
    const cancelled = await client.call("POST", `/v1/test-runs/${testRunId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "done", verdict: "failed" });
    const run = await client.call("GET", `/v1/runs/${runId}`);
    expect(run.body).toMatchObject({
      status: "interrupted",
      ended_reason: "interrupted",
      ended_by: "platform",
      error: `the test run was cancelled (POST /v1/test-runs/${testRunId}/cancel)`,
    });
    const logged = await pollUntil(
      async () => gw.logs.join("\n"),
      (logs) => logs.includes(`voice run ${runId} could not be cancelled at its sidecar`),
      50,
    );
    expect(logged).toContain(`voice run ${runId} could not be cancelled at its sidecar`);
  });
});
