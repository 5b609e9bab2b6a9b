/**
 * Voice dispatch benchmark (`npm run bench:gateway-voice-dispatch`): the gateway's own share of a
 * voice run, over RUNS runs one after another on a Node gateway and a scripted sidecar on
 * loopback — job posted → sidecar accepted, and result received → run settled (verified,
 * recordings stored, evaluated, ended, test run settled) — beside the baseline measured in the
 * same run: one bare authenticated HTTP round trip to the same sidecar (`GET /v1/jobs/:id`).
 * Printed, not bounded: the box may be shared.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayEnv, startGateway } from "@spar/gateway/node";
import { percentile } from "@spar/protocol";
import { SIDECAR_TOKEN, startScriptedSidecar } from "../../test/contract/scripted-sidecar.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);

const sidecar = await startScriptedSidecar();
const dir = await mkdtemp(join(tmpdir(), "spar-bench-voice-dispatch-"));
const parsed = parseGatewayEnv({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const timings = new Map<number, { accepted?: number; settled?: number }>();
const gateway = await startGateway({
  port: 0,
  host: "127.0.0.1",
  dataDir: dir,
  config: parsed.config,
  log: () => {},
  onVoiceTiming: (stage, runId, ms) => timings.set(runId, { ...timings.get(runId), [stage]: ms }),
});

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { "X-API-Key": gateway.firstStartKey ?? "", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await res.json();
  if (typeof json !== "object" || json === null) throw new Error(`${method} ${path}: not an object`);
  return json as Record<string, unknown>;
}

const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms (n=${xs.length})`;

try {
  const agent = await api("POST", "/v1/agents", {
    name: "Voice bot",
    voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" } },
  });
  const scenario = await api("POST", "/v1/scenarios", { name: "Hi", script: [{ say: "hi" }] });
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = await api("POST", "/v1/test-runs", { agent_id: agent.id, scenario_ids: [scenario.id] });
    const runs = (await api("GET", `/v1/runs?test_run_id=${started.test_run_id}`)).data as { id: number }[];
    const runId = runs[0]?.id ?? 0;
    const call = await sidecar.runner.call(String(runId));
    const t0 = performance.now();
    const res = await fetch(`${sidecar.url}/v1/jobs/${runId}`, {
      headers: { authorization: `Bearer ${SIDECAR_TOKEN}` },
    });
    await res.text();
    baseline.push(performance.now() - t0);
    call.finish(await sidecar.resultWithRecording(call.job));
    for (let w = 0; w < 400 && timings.get(runId)?.settled === undefined; w++)
      await new Promise((r) => setTimeout(r, 10));
  }
  const accepted = [...timings.values()].flatMap((t) => (t.accepted === undefined ? [] : [t.accepted]));
  const settled = [...timings.values()].flatMap((t) => (t.settled === undefined ? [] : [t.settled]));
  process.stdout.write(
    [
      `voice dispatch over ${RUNS} runs (Node gateway, scripted sidecar, loopback):`,
      `  baseline: one authenticated sidecar round trip  ${fmt(baseline)}`,
      `  job posted → sidecar accepted                 ${fmt(accepted)}  (${(percentile(accepted, 50) / percentile(baseline, 50)).toFixed(1)}× baseline p50)`,
      `  result received → run settled                 ${fmt(settled)}`,
      "",
    ].join("\n"),
  );
} finally {
  await gateway.close();
  await sidecar.close();
  await rm(dir, { recursive: true, force: true });
}
