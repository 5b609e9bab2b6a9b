/**
 * The voice job queue against real sidecars that are full (429 + Retry-After): a job goes to
 * another sidecar with room, and when none has room it waits in the queue and is posted once
 * one has — never dropped, never posted twice.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayEnv, type RunningGateway, startGateway } from "@spar/gateway/node";
import { afterEach, expect, it } from "vitest";
import { type ScriptedSidecar, SIDECAR_TOKEN, startScriptedSidecar } from "./scripted-sidecar.ts";

const started: { gateway?: RunningGateway; sidecars: ScriptedSidecar[]; dir?: string } = { sidecars: [] };

afterEach(async () => {
  await started.gateway?.close();
  for (const s of started.sidecars) await s.close();
  if (started.dir) await rm(started.dir, { recursive: true, force: true });
  started.sidecars = [];
});

async function gatewayOn(sidecars: ScriptedSidecar[], frequency = 2) {
  started.sidecars = sidecars;
  started.dir = await mkdtemp(join(tmpdir(), "spar-voice-queue-"));
  const parsed = parseGatewayEnv({
    SPAR_SIDECARS: sidecars.map((s) => s.url).join(","),
    SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  const gateway = await startGateway({
    port: 0,
    host: "127.0.0.1",
    dataDir: started.dir,
    config: parsed.config,
    log: () => {},
  });
  started.gateway = gateway;
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
  const testRun = await api("POST", "/v1/test-runs", {
    agent_id: agent.id,
    scenario_ids: [scenario.id],
    frequency,
  });
  const runIds: string[] = (await api("GET", `/v1/runs?test_run_id=${testRun.test_run_id}`)).data.map(
    (r: { id: number }) => String(r.id),
  );
  return { api, runIds, testRunId: testRun.test_run_id as number };
}

it("posts a job a full sidecar refused (429) to another sidecar with room", async () => {
  const a = await startScriptedSidecar(1);
  const b = await startScriptedSidecar(1);
  // `a` is busy with a call of its own: the gateway's job, offered to `a` first, gets a 429.
  const busy = await fetch(`${a.url}/v1/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${SIDECAR_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      run_id: "someone-else",
      scenario: { id: "x", name: "x" },
      connection: { mode: "manual", livekit_room_url: "ws://127.0.0.1:7880", access_token: "t" },
      caller: { script: [{ say: "hi" }] },
      max_duration_s: 60,
    }),
  });
  expect(busy.status).toBe(201);
  const { runIds } = await gatewayOn([a, b], 1);
  const taken = await b.runner.call(runIds[0] ?? "");
  expect(a.runner.calls.map((c) => c.job.run_id)).toEqual(["someone-else"]);
  taken.finish(await b.resultWithRecording(taken.job));
  const other = await a.runner.call("someone-else");
  other.finish(await a.resultWithRecording(other.job));
});

it("keeps a job every sidecar refused queued and posts it once one has room", async () => {
  const { api, runIds, testRunId } = await gatewayOn([await startScriptedSidecar(1)]);
  const [only] = started.sidecars as [ScriptedSidecar];
  const first = await only.runner.call(runIds[0] ?? "");
  // The second run waits in the queue while the one call slot is taken.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(only.runner.calls.map((c) => c.job.run_id)).toEqual([runIds[0]]);
  expect((await api("GET", `/v1/runs/${runIds[1]}`)).status).toBe("queued");
  first.finish(await only.resultWithRecording(first.job));
  const second = await only.runner.call(runIds[1] ?? "");
  second.finish(await only.resultWithRecording(second.job));
  let testRun = await api("GET", `/v1/test-runs/${testRunId}`);
  for (let i = 0; i < 100 && testRun.status !== "done"; i++) {
    await new Promise((r) => setTimeout(r, 50));
    testRun = await api("GET", `/v1/test-runs/${testRunId}`);
  }
  expect(testRun).toMatchObject({ status: "done", verdict: "passed", runs: { total: 2, passed: 2 } });
  expect(only.runner.calls.map((c) => c.job.run_id)).toEqual(runIds);
}, 30_000);
