/**
 * The gateway's own share of a voice run, measured on one run (printed, not bounded: the box is
 * shared): job posted → sidecar accepted, and result received → run settled (verified,
 * recordings stored, evaluated, ended, test run settled).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayEnv, startGateway } from "@spar/gateway/node";
import { expect, it } from "vitest";
import { SIDECAR_TOKEN, startScriptedSidecar } from "./scripted-sidecar.ts";

it("reports the dispatch overhead of one voice run in both directions", async () => {
  const sidecar = await startScriptedSidecar();
  const dir = await mkdtemp(join(tmpdir(), "spar-voice-timing-"));
  const parsed = parseGatewayEnv({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  const timings = new Map<string, number>();
  const gateway = await startGateway({
    port: 0,
    host: "127.0.0.1",
    dataDir: dir,
    config: parsed.config,
    log: () => {},
    onVoiceTiming: (stage, _runId, ms) => timings.set(stage, ms),
  });
  try {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { "X-API-Key": gateway.firstStartKey ?? "", "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the API's JSON answers
      return (await res.json()) as any;
    };
    const agent = await api("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" } },
    });
    const scenario = await api("POST", "/v1/scenarios", {
      name: "Hi",
      script: [{ say: "hi, I'd like to book a table" }],
    });
    const started = await api("POST", "/v1/test-runs", { agent_id: agent.id, scenario_ids: [scenario.id] });
    const runId: number = (await api("GET", `/v1/runs?test_run_id=${started.test_run_id}`)).data[0].id;
    const call = await sidecar.runner.call(String(runId));
    call.finish(await sidecar.resultWithRecording(call.job));
    for (let i = 0; i < 200 && !timings.has("settled"); i++) await new Promise((r) => setTimeout(r, 25));
    const accepted = timings.get("accepted");
    const settled = timings.get("settled");
    process.stdout.write(
      `voice dispatch overhead: job posted → accepted ${accepted?.toFixed(1)} ms; result received → settled ${settled?.toFixed(1)} ms\n`,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(settled).toBeGreaterThan(0);
  } finally {
    await gateway.close();
    await sidecar.close();
    await rm(dir, { recursive: true, force: true });
  }
});
