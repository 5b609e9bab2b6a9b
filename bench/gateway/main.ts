/**
 * Gateway benchmark (`npm run bench:gateway`). All figures come from one run, side by side,
 * against the instant agent of bench/text in another process:
 *  (a) 100 scenarios × 5 turns: embedded (`runBatch`, concurrency 100) vs the gateway (`PUT
 *      /v1/suites`, `POST /v1/test-runs`, poll until the verdict settles; 100 runs at once per
 *      workspace), alternating rounds; spec defaults (settle 300 ms) → ratio, target ≤ 1.3×;
 *  (b) 1,000 concurrent text runs through one gateway (settle 0): all finish? wall, peak RSS;
 *  (c) `GET /v1/test-runs/{id}` under load: C concurrent clients for D s on keep-alive
 *      connections → requests/s, p50/p99 (the per-key rate limit raised: this measures the server).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, planBatch, runBatch, runTextScenario } from "@spar/gateway";
import { parseGatewayEnv, type RunningGateway, startGateway } from "@spar/gateway/node";
import { parseSuite, percentile } from "@spar/protocol";
import { startInstantAgent } from "../text/start-instant-agent.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LOAD_CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);

function suiteOf(url: string, scenarios: number, settleMs: number) {
  return {
    version: 1,
    agent: { id: "bench", text: { url, secret: "bench", settle_ms: settleMs } },
    scenarios: Array.from({ length: scenarios }, (_, i) => ({
      id: `s${i}`,
      script: Array.from({ length: 5 }, (_, k) => ({ say: `turn ${k}` })),
    })),
  };
}

async function embedded(url: string): Promise<number> {
  const parsed = parseSuite(suiteOf(url, 100, 300));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const plan = planBatch([{ name: "bench", suite: parsed.suite }]);
  const batchId = newId("batch");
  const t0 = performance.now();
  const reports = await runBatch(plan, 100, (run) =>
    runTextScenario({
      suite: run.suite,
      scenario: run.scenario,
      attempt: run.attempt,
      runId: run.runId,
      batchId,
    }),
  );
  if (reports.some((r) => !r.passed)) throw new Error("an embedded run did not pass");
  return performance.now() - t0;
}

async function api(gw: RunningGateway, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { "X-API-Key": gw.firstStartKey ?? "", ...(body ? { "Content-Type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of several answers
  return (await res.json()) as Record<string, any>;
}

/** Upserts the suite, starts one test run and polls until its verdict settles: wall ms. */
async function throughGateway(gw: RunningGateway, suite: object, frequency = 1) {
  const upserted = await api(gw, "PUT", "/v1/suites", suite);
  const ids = (upserted.scenarios as { id: number }[]).map((s) => s.id);
  const t0 = performance.now();
  const started = await api(gw, "POST", "/v1/test-runs", {
    agent_id: upserted.agent_id,
    scenario_ids: ids,
    frequency,
  });
  for (;;) {
    const view = await api(gw, "GET", `/v1/test-runs/${started.test_run_id}`);
    if (view.verdict !== "pending")
      return { wall: performance.now() - t0, view, testRunId: started.test_run_id };
    // A CI client polls every few seconds; 100 ms keeps the measurement close without loading the server.
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function load(gw: RunningGateway, path: string) {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + LOAD_SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: LOAD_CLIENTS }, async () => {
      while (performance.now() < until) {
        const s = performance.now();
        const res = await fetch(`${gw.url}${path}`, { headers: { "X-API-Key": gw.firstStartKey ?? "" } });
        await res.arrayBuffer();
        if (res.ok) latencies.push(performance.now() - s);
        else errors++;
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - t0) / 1000 };
}

const agent = await startInstantAgent();
const dir = await mkdtemp(join(tmpdir(), "spar-bench-gateway-"));
const parsed = parseGatewayEnv({});
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const gw = await startGateway({
  port: 0,
  host: "127.0.0.1",
  dataDir: dir,
  config: parsed.config,
  log: () => undefined,
  runsPerWorkspace: 1000,
  rateLimit: { ratePerSec: 1e6, burst: 1e6 },
});
try {
  await embedded(agent.url); // warm-up, both paths
  await throughGateway(gw, suiteOf(agent.url, 100, 300));
  const emb: number[] = [];
  const gwy: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    emb.push(await embedded(agent.url));
    const g = await throughGateway(gw, suiteOf(agent.url, 100, 300));
    if (g.view.runs.passed !== 100) throw new Error(`gateway round: ${JSON.stringify(g.view.runs)}`);
    gwy.push(g.wall);
  }
  const e = percentile(emb, 50);
  const g = percentile(gwy, 50);
  console.log(
    `(a) 100 scenarios × 5 turns, spec defaults (settle 300 ms), ${ROUNDS} alternating rounds, median wall`,
  );
  console.log(
    `    embedded runBatch     ${(e / 1000).toFixed(2)} s   (rounds: ${emb.map((x) => (x / 1000).toFixed(2)).join(", ")})`,
  );
  console.log(
    `    gateway test run      ${(g / 1000).toFixed(2)} s   (rounds: ${gwy.map((x) => (x / 1000).toFixed(2)).join(", ")})`,
  );
  console.log(`    ratio gateway/embedded ${(g / e).toFixed(2)}×  (target ≤ 1.3×)`);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const big = await throughGateway(gw, suiteOf(agent.url, 200, 0), 5);
  clearInterval(sampler);
  console.log("(b) 1,000 concurrent text runs through one gateway (200 scenarios × frequency 5, settle 0)");
  console.log(
    `    finished ${big.view.runs.completed + big.view.runs.failed}/${big.view.runs.total}, passed ${big.view.runs.passed}  wall ${(big.wall / 1000).toFixed(2)} s  peak RSS (gateway + bench) ${Math.round(peakRss / 2 ** 20)} MiB`,
  );

  const l = await load(gw, `/v1/test-runs/${big.testRunId}`);
  console.log(
    `(c) GET /v1/test-runs/{id} (a 1,000-run test run), ${LOAD_CLIENTS} concurrent clients for ${LOAD_SECONDS} s`,
  );
  console.log(
    `    ${Math.round(l.latencies.length / l.seconds)} requests/s  p50 ${percentile(l.latencies, 50).toFixed(1)} ms  p99 ${percentile(l.latencies, 99).toFixed(1)} ms  errors ${l.errors}`,
  );
} finally {
  await gw.close();
  agent.child.kill();
  await rm(dir, { recursive: true, force: true });
}
