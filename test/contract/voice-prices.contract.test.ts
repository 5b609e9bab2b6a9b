/**
 * The gateway contract, voice prices and availability: credits for voice (10 a run) and LiveKit
 * chat runs (1, billed as text) are debited before anything is created, and a deployment with no
 * sidecar refuses voice test runs naming the setting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, createWorkspace, expectError } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";
import { type ScriptedSidecar, SIDECAR_TOKEN, startScriptedSidecar } from "./scripted-sidecar.ts";

const ADMIN_TOKEN = "voice-prices-admin-token-3a9d";

describe.each(TARGETS)("gateway contract on $name: voice prices and availability", (target) => {
  let sidecar: ScriptedSidecar;
  let gw: RunningTarget;
  let bare: RunningTarget;
  let client: ContractClient;

  beforeAll(async () => {
    sidecar = await startScriptedSidecar();
    gw = await target.start({
      SPAR_SIDECARS: sidecar.url,
      SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN,
      SPAR_ADMIN_TOKEN: ADMIN_TOKEN,
      SPAR_CREDITS: "on",
    });
    bare = await target.start();
    client = contractClient(gw);
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await bare?.close();
    await sidecar?.close();
  });

  it("charges 10 credits a voice run and 1 a LiveKit chat run, before anything is created", async () => {
    const call = client.call;
    const ws = await createWorkspace(gw, ADMIN_TOKEN, "buyer");
    const key = { key: ws.api_key };
    const add = await fetch(`${gw.baseUrl}/v1/admin/workspaces/${ws.workspace_id}/credits`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ add: 12 }),
    });
    expect(add.status).toBe(200);
    const livekit = { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" };
    const voiceAgent = await call("POST", "/v1/agents", { name: "voice", voice: { livekit } }, key);
    const chatAgent = await call("POST", "/v1/agents", { name: "chat", voice: { livekit, chat: true } }, key);
    const scenario = await call("POST", "/v1/scenarios", { name: "Hi", script: [{ say: "hi" }] }, key);
    const voiceRun = await call(
      "POST",
      "/v1/test-runs",
      { agent_id: voiceAgent.body.id, scenario_ids: [scenario.body.id] },
      key,
    );
    expect(voiceRun.status).toBe(201);
    expect((await call("GET", "/v1/credits", undefined, key)).body).toEqual({ enabled: true, balance: 2 });
    const tooDear = await call(
      "POST",
      "/v1/test-runs",
      { agent_id: voiceAgent.body.id, scenario_ids: [scenario.body.id] },
      key,
    );
    expectError(
      tooDear,
      402,
      "payment_required",
      "the test run needs 10 credits (1 voice runs); the balance is 2",
    );
    const chatRun = await call(
      "POST",
      "/v1/test-runs",
      { agent_id: chatAgent.body.id, scenario_ids: [scenario.body.id], frequency: 2 },
      key,
    );
    expect(chatRun.status).toBe(201);
    expect((await call("GET", "/v1/credits", undefined, key)).body).toEqual({ enabled: true, balance: 0 });
    const chatRunIds = (
      await call("GET", `/v1/runs?test_run_id=${chatRun.body.test_run_id}`, undefined, key)
    ).body.data.map((r: { id: number }) => String(r.id));
    for (const id of chatRunIds) expect((await sidecar.runner.call(id)).job.chat).toBe(true);
    for (const c of sidecar.runner.calls) c.finish(await sidecar.resultWithRecording(c.job));
  });

  it("refuses a voice test run with 400 naming the setting when no sidecar is configured", async () => {
    const plain = contractClient(bare);
    const agent = await plain.call("POST", "/v1/agents", {
      name: "voice",
      voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" } },
    });
    const scenario = await plain.call("POST", "/v1/scenarios", { name: "Hi", script: [{ say: "hi" }] });
    const refused = await plain.call("POST", "/v1/test-runs", {
      agent_id: agent.body.id,
      scenario_ids: [scenario.body.id],
      channel: "web",
    });
    expectError(
      refused,
      400,
      "bad_request",
      /^channel: voice runs cannot run here: no voice sidecar is configured: set SPAR_SIDECARS and SPAR_SIDECAR_TOKEN/,
    );
    expect((await plain.call("GET", "/v1/test-runs")).body.data).toEqual([]);
  });
});
