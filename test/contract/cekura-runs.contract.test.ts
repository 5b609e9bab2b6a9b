/**
 * The gateway contract, Cekura-compatible manual runs: each element of the body is one run that
 * joins the room given (manual: URL + token), repeated elements run side by side, the chat route
 * sends chat jobs with their data message, and Cekura's bulk read reports each run's outcome —
 * a failed call reads `success: false`, never a pass.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, pollUntil } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";
import { type ScriptedSidecar, SIDECAR_TOKEN, startScriptedSidecar } from "./scripted-sidecar.ts";

describe.each(TARGETS)("gateway contract on $name: Cekura-compatible manual runs", (target) => {
  let gw: RunningTarget;
  let sidecar: ScriptedSidecar;
  let client: ContractClient;
  let agentId: number;
  let scenarioId: number;
  const call: ContractClient["call"] = (...args) => client.call(...args);
  const cekura = (path: string, body: unknown) =>
    client.call("POST", path, body, { headers: { "X-CEKURA-API-KEY": gw.apiKey } });

  beforeAll(async () => {
    sidecar = await startScriptedSidecar();
    gw = await target.start({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
    client = contractClient(gw);
    const agent = await call("POST", "/v1/agents", {
      name: "Room bot",
      voice: { livekit: { mode: "client", bot_runner_url: "https://bots.example.com/start" } },
    });
    agentId = agent.body.id;
    const scenario = await call("POST", "/v1/scenarios", {
      name: "Greeting",
      agent_id: agentId,
      script: [{ say: "hi, I'd like to book a table" }, { expect: "/how many/" }],
    });
    expect([agent.status, scenario.status]).toEqual([201, 201]);
    scenarioId = scenario.body.id;
  });

  afterAll(async () => {
    await gw?.close();
    await sidecar?.close();
  });

  it("runs one manual voice run per element in the rooms given, and bulk-reads their outcomes", async () => {
    const element = (token: string) => ({
      scenario: scenarioId,
      livekit_room_url: "ws://127.0.0.1:7880",
      access_token: token,
    });
    const started = await cekura("/test_framework/v1/scenarios-external/run_scenarios_livekit/", {
      scenarios: [element("token-one"), element("token-two")],
    });
    expect(started.status).toBe(201);
    const runIds: number[] = started.body.run_ids;
    expect(runIds).toHaveLength(2);
    expect(typeof started.body.id).toBe("number");

    const first = await sidecar.runner.call(String(runIds[0]));
    const second = await sidecar.runner.call(String(runIds[1]));
    expect(first.job.connection).toEqual({
      mode: "manual",
      livekit_room_url: "ws://127.0.0.1:7880",
      access_token: "token-one",
    });
    expect(second.job.connection).toMatchObject({ access_token: "token-two" });
    expect(first.job.chat ?? false).toBe(false);
    first.finish(await sidecar.resultWithRecording(first.job));
    second.finish(
      await sidecar.resultWithRecording(second.job, {
        status: "failed",
        ended_reason: "agent_timeout",
        error_message: "no agent audio within 30 s of the caller's turn",
      }),
    );
    const testRun = await pollUntil(
      () => call("GET", `/v1/test-runs/${started.body.id}`),
      (r) => r.body.status === "done",
    );
    expect(testRun.body).toMatchObject({ verdict: "failed", runs: { total: 2, passed: 1, failed: 1 } });

    const bulk = await client.call(
      "GET",
      `/test_framework/v1/runs/bulk/?run_ids=${runIds.join(",")}`,
      undefined,
      {
        headers: { "X-CEKURA-API-KEY": gw.apiKey },
      },
    );
    expect(bulk.status).toBe(200);
    expect(
      bulk.body.map((r: { id: number; success: boolean; status: string }) => [r.id, r.success, r.status]),
    ).toEqual([
      [runIds[0], true, "completed"],
      [runIds[1], false, "failed"],
    ]);
    expect(bulk.body[1].error_message).toContain("agent_timeout");
  });

  it("sends chat jobs with their data message from the chat route", async () => {
    const started = await cekura("/v1/runs/livekit-chat", {
      scenarios: [
        {
          scenario: scenarioId,
          livekit_room_url: "ws://127.0.0.1:7880",
          access_token: "chat-token",
          publish_data_message: { customer: "gold" },
        },
      ],
    });
    expect(started.status).toBe(201);
    const job = await sidecar.runner.call(String(started.body.run_ids[0]));
    expect(job.job).toMatchObject({ chat: true, publish_data_message: { customer: "gold" } });
    job.finish(
      await sidecar.resultWithRecording(job.job, { status: "failed", ended_reason: "agent_timeout" }),
    );
    await pollUntil(
      () => call("GET", `/v1/test-runs/${started.body.id}`),
      (r) => r.body.status === "done",
    );
  });

  it("answers 404 for a scenario of another workspace or none, creating no run", async () => {
    const before = (await call("GET", "/v1/test-runs")).body.data.length;
    const missing = await cekura("/v1/runs/livekit", {
      scenarios: [{ scenario: 999_999, livekit_room_url: "ws://127.0.0.1:7880", access_token: "t" }],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("999999");
    expect((await call("GET", "/v1/test-runs")).body.data.length).toBe(before);
  });
});
