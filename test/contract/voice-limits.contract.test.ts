/**
 * The gateway contract, an agent's own voice limits: `voice.max_duration_s` and
 * `voice.agent_join_timeout_s` are checked at save (the field and its bounds named), answered
 * back, and carried by each voice run's job to the sidecar (a real one on loopback, scripted
 * calls), whose deadline follows them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, expectError, pollUntil } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";
import { type ScriptedSidecar, SIDECAR_TOKEN, startScriptedSidecar } from "./scripted-sidecar.ts";

const livekit = { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" };

describe.each(TARGETS)("gateway contract on $name: an agent's voice limits", (target) => {
  let gw: RunningTarget;
  let sidecar: ScriptedSidecar;
  let client: ContractClient;

  beforeAll(async () => {
    sidecar = await startScriptedSidecar();
    gw = await target.start({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
    client = contractClient(gw);
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
    await sidecar?.close();
  });

  it("refuses limits out of bounds, naming the field and its bounds", async () => {
    const tooLong = await client.call("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit, max_duration_s: 3_601 },
    });
    expectError(
      tooLong,
      400,
      "bad_request",
      /voice\.max_duration_s: must be a whole number of seconds, 1 to 3600/,
    );
    const tooShort = await client.call("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit, agent_join_timeout_s: 0 },
    });
    expectError(
      tooShort,
      400,
      "bad_request",
      /voice\.agent_join_timeout_s: must be a whole number of seconds, 1 to 600/,
    );
  });

  it("sends the agent's limits with each voice run's job to the sidecar", async () => {
    const agent = await client.call("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit, max_duration_s: 45, agent_join_timeout_s: 5 },
    });
    expect(agent.status).toBe(201);
    expect(agent.body.voice).toMatchObject({ max_duration_s: 45, agent_join_timeout_s: 5 });
    expect((await client.call("GET", `/v1/agents/${agent.body.id}`)).body.voice).toMatchObject({
      max_duration_s: 45,
      agent_join_timeout_s: 5,
    });
    const scenario = await client.call("POST", "/v1/scenarios", {
      name: "Hello",
      script: [{ say: "hello" }],
    });
    const started = await client.call("POST", "/v1/test-runs", {
      agent_id: agent.body.id,
      scenario_ids: [scenario.body.id],
    });
    const runId: number = (await client.call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`)).body
      .data[0].id;
    const call = await sidecar.runner.call(String(runId));
    expect(call.job).toMatchObject({ max_duration_s: 45, agent_join_timeout_ms: 5_000 });
    const running = await pollUntil(
      () => client.call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status === "running",
    );
    expect(running.body.status).toBe("running");
    call.finish(
      await sidecar.resultWithRecording(call.job, {
        status: "failed",
        ended_reason: "agent_never_joined",
        error_message: "no agent joined within 5 s",
      }),
    );
    const ended = await pollUntil(
      () => client.call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status !== "running",
    );
    expect(ended.body).toMatchObject({ status: "failed", ended_reason: "agent_never_joined" });
  });

  it("sends the deployment's 600 s and no join limit for an agent that sets none", async () => {
    const agent = await client.call("POST", "/v1/agents", { name: "Plain bot", voice: { livekit } });
    expect(agent.body.voice).not.toHaveProperty("max_duration_s");
    const scenario = await client.call("POST", "/v1/scenarios", { name: "Hi", script: [{ say: "hi" }] });
    const started = await client.call("POST", "/v1/test-runs", {
      agent_id: agent.body.id,
      scenario_ids: [scenario.body.id],
    });
    const runId: number = (await client.call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`)).body
      .data[0].id;
    const call = await sidecar.runner.call(String(runId));
    expect(call.job.max_duration_s).toBe(600);
    expect(call.job).not.toHaveProperty("agent_join_timeout_ms");
    call.finish(await sidecar.resultWithRecording(call.job));
    await pollUntil(
      () => client.call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status !== "running",
    );
  });
});
