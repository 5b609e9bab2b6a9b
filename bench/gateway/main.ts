/**
 * Gateway benchmark (`npm run bench:gateway`). All figures come from one run, each beside a
 * baseline measured in the same run, against the instant agent of bench/text in another process:
 *  (a) 100 scenarios × 5 turns: embedded (`runBatch`, concurrency 100) vs the gateway (`PUT
 *      /v1/suites`, `POST /v1/test-runs`, poll every POLL_MS until the verdict settles; 100 runs
 *      at once per workspace), alternating rounds; spec defaults (settle 300 ms) → ratio, target
 *      ≤ 1.3×. The server's own settle time (finished_at − created_at) is printed beside it;
 *  (b) 1,000 concurrent text runs (200 scenarios × 5, settle 0) through one gateway vs the same
 *      1,000 embedded: all finish? wall, ratio, peak RSS;
 *  (c) with autocannon (in a worker thread), C keep-alive connections for D s: `GET
 *      /v1/test-runs/{id}` of the 1,000-run test run vs `GET /v1/credits` (auth plus one small
 *      read, the floor of an API request) → requests/s, p50/p99, ratios. The per-key rate limit
 *      is raised: this measures the server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, planBatch, runBatch, runTextScenario } from "@spar/gateway";
import { parseGatewayEnv, type RunningGateway, startGateway } from "@spar/gateway/node";
import { parseSuite, percentile } from "@spar/protocol";
import { startInstantAgent } from "../text/start-instant-agent.ts";
import { formatLoad, httpLoad } from "./http-load.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LOAD_CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
/** Fine enough that the poll's granularity is not what (a) measures; a poll costs ~1 ms. */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 20);

function suiteOf(url: string, scenarios: number, settleMs: number, repeat = 1) {
  return {
    version: 1,
    defaults: { repeat },
    agent: { id: "bench", text: { url, secret: "bench", settle_ms: settleMs } },
    scenarios: Array.from({ length: scenarios }, (_, i) => ({
      id: `s${i}`,
      script: Array.from({ length: 5 }, (_, k) => ({ say: `turn ${k}` })),
    })),
  };
}

async function embedded(suite: object): Promise<number> {
  const parsed = parseSuite(suite);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const plan = planBatch([{ name: "bench", suite: parsed.suite }]);
  const batchId = newId("batch");
  const t0 = performance.now();
  const reports = await runBatch(plan, plan.length, (run) =>
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
    if (view.verdict !== "pending") {
      const serverMs = Date.parse(view.finished_at) - Date.parse(view.created_at);
      return { wall: performance.now() - t0, serverMs, view, testRunId: started.test_run_id };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
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
const auth = { "X-API-Key": gw.firstStartKey ?? "" };
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
try {
  const small = () => suiteOf(agent.url, 100, 300);
  await embedded(small()); // warm-up, both paths
  await throughGateway(gw, small());
  const emb: number[] = [];
  const gwy: number[] = [];
  const server: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    emb.push(await embedded(small()));
    const g = await throughGateway(gw, small());
    if (g.view.runs.passed !== 100) throw new Error(`gateway round: ${JSON.stringify(g.view.runs)}`);
    gwy.push(g.wall);
    server.push(g.serverMs);
  }
  const e = percentile(emb, 50);
  const g = percentile(gwy, 50);
  const rounds = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(", ");
  console.log(
    `(a) 100 scenarios × 5 turns, spec defaults (settle 300 ms), ${ROUNDS} alternating rounds, median wall`,
  );
  console.log(`    embedded runBatch     ${seconds(e)}   (rounds: ${rounds(emb)})`);
  console.log(
    `    gateway test run      ${seconds(g)}   (rounds: ${rounds(gwy)}; polled every ${POLL_MS} ms; server settle ${rounds(server)})`,
  );
  console.log(`    ratio gateway/embedded ${(g / e).toFixed(2)}×  (target ≤ 1.3×)`);

  const bigEmbedded = await embedded(suiteOf(agent.url, 200, 0, 5));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const big = await throughGateway(gw, suiteOf(agent.url, 200, 0), 5);
  clearInterval(sampler);
  const { runs } = big.view;
  console.log("(b) 1,000 concurrent text runs (200 scenarios × 5, settle 0)");
  console.log(`    embedded runBatch     ${seconds(bigEmbedded)}`);
  console.log(
    `    gateway test run      ${seconds(big.wall)}   finished ${runs.completed + runs.failed}/${runs.total}, passed ${runs.passed}; peak RSS (gateway + bench) ${Math.round(peakRss / 2 ** 20)} MiB`,
  );
  console.log(`    ratio gateway/embedded ${(big.wall / bigEmbedded).toFixed(2)}×`);

  const load = (path: string) =>
    httpLoad({ url: `${gw.url}${path}`, headers: auth, connections: LOAD_CLIENTS, seconds: LOAD_SECONDS });
  const floor = await load("/v1/credits");
  const view = await load(`/v1/test-runs/${big.testRunId}`);
  console.log(`(c) autocannon, ${LOAD_CLIENTS} keep-alive connections for ${LOAD_SECONDS} s each`);
  console.log(`    GET /v1/credits (baseline)            ${formatLoad(floor)}`);
  console.log(`    GET /v1/test-runs/{id} (1,000 runs)   ${formatLoad(view)}`);
  console.log(
    `    ratio test run/baseline: requests/s ${(view.requestsPerSec / floor.requestsPerSec).toFixed(2)}×  p50 ${(view.p50Ms / floor.p50Ms).toFixed(2)}×  p99 ${(view.p99Ms / floor.p99Ms).toFixed(2)}×`,
  );
} finally {
  await gw.close();
  agent.child.kill();
  await rm(dir, { recursive: true, force: true });
}
