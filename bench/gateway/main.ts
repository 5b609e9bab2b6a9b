/**
 * Gateway benchmark (`npm run bench:gateway`). All figures come from one run, each beside a
 * baseline measured in the same run, against the instant agent of bench/text in another process.
 * The gateways: Node (`spar serve`, in the bench's process) and Workers (the Worker in workerd
 * through `wrangler dev`, offline, one Durable Object per text run; its own processes).
 *  (a)  100 scenarios × 5 turns: embedded (`runBatch`, concurrency 100) vs a gateway test run
 *       (`PUT /v1/suites`, `POST /v1/test-runs`, poll until the verdict settles; 100 runs at
 *       once), alternating rounds; spec defaults (settle 300 ms) → ratio, target ≤ 1.3×. The
 *       server's own settle time (finished_at − created_at) is printed beside it. Part `a` adds
 *       Node to the rounds, `wa` workerd; with both, also the ratio workerd/Node;
 *  (b)  1,000 concurrent text runs (200 scenarios × 5, settle 0) through the Node gateway vs the
 *       same 1,000 embedded: all finish? wall, ratio, peak RSS;
 *  (wb) the same 1,000 as Durable Objects in one local workerd: all finish? passed, wall, peak
 *       RSS of the workerd processes (and of wrangler's own), sampled from /proc;
 *  (c)  with autocannon (in a worker thread), C keep-alive connections for D s against Node:
 *       `GET /v1/test-runs/{id}` of the 1,000-run test run vs `GET /v1/credits` (auth plus one
 *       small read, the floor of an API request) → requests/s, p50/p99, ratios.
 * Node's per-key rate limit is raised (this measures the server); the Worker's cannot be set
 * (20/s, burst 100), so workerd is polled every WORKERS_POLL_MS, below it.
 * BENCH_PARTS picks parts (default a,b,c,wa,wb); e.g. BENCH_PARTS=wa,wb runs only workerd.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayEnv, type RunningGateway, startGateway } from "@spar/gateway/node";
import { percentile } from "@spar/protocol";
import { startInstantAgent } from "../text/start-instant-agent.ts";
import { embedded, suiteOf } from "./bench-suite.ts";
import { type GatewayEndpoint, type TestRunOutcome, throughGateway } from "./gateway-client.ts";
import { formatLoad, httpLoad } from "./http-load.ts";
import { type BenchWorkers, startBenchWorkers } from "./workers-gateway.ts";
import { manyRunsInWorkerd } from "./workers-many-runs.ts";

const PARTS = ["a", "b", "c", "wa", "wb"] as const;
type Part = (typeof PARTS)[number];

function partsOf(value: string | undefined): Set<Part> {
  if (value === undefined || value.trim() === "") return new Set(PARTS);
  const named = value.split(",").map((s) => s.trim());
  const unknown = named.filter((s) => !(PARTS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    console.error(`BENCH_PARTS: unknown part ${unknown.join(", ")}; pick from ${PARTS.join(",")}`);
    process.exit(2);
  }
  return new Set(named as Part[]);
}

const parts = partsOf(process.env.BENCH_PARTS);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LOAD_CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
/** Fine enough that the poll's granularity is not what (a) measures; a poll costs ~1 ms. */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 20);
/** The Worker's rate limit is 20 requests/s per key (burst 100): 60 ms stays under it. */
const WORKERS_POLL_MS = Number(process.env.BENCH_WORKERS_POLL_MS ?? 60);
/** How long a test run may take before the bench gives up on it. */
const MANY_DEADLINE_MS = Number(process.env.BENCH_MANY_DEADLINE_S ?? 420) * 1000;
/** Runs in (wb), a multiple of 5 (scenarios × 5); 1,000 unless a smaller step is wanted. */
const WORKERS_RUNS = Number(process.env.BENCH_WORKERS_RUNS ?? 1000);
/** How long the gateway may leave every poll unanswered before the bench gives up. */
const STALL_MS = Number(process.env.BENCH_STALL_S ?? 60) * 1000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;
const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const list = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(", ");

interface Target {
  name: string;
  endpoint: GatewayEndpoint;
  pollMs: number;
}

/** One test run that must finish with every run passed; otherwise throws naming what was seen. */
async function passingRun(
  target: Target,
  suite: object,
  frequency = 1,
): Promise<TestRunOutcome & { finished: true }> {
  const wait = { frequency, pollMs: target.pollMs, deadlineMs: MANY_DEADLINE_MS, stallMs: STALL_MS };
  const out = await throughGateway(target.endpoint, suite, wait);
  if (!out.finished)
    throw new Error(`${target.name}: the test run did not finish (${out.why}): ${JSON.stringify(out.runs)}`);
  if (out.runs.passed !== out.runs.total)
    throw new Error(`${target.name}: not every run passed: ${JSON.stringify(out.runs)}`);
  return out;
}

const agent = await startInstantAgent();
const closing: (() => Promise<void>)[] = [async () => void agent.child.kill()];
try {
  let node: (Target & { gateway: RunningGateway }) | undefined;
  if (parts.has("a") || parts.has("b") || parts.has("c")) {
    const dir = await mkdtemp(join(tmpdir(), "spar-bench-gateway-"));
    closing.unshift(() => rm(dir, { recursive: true, force: true }));
    const parsed = parseGatewayEnv({});
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const gateway = await startGateway({
      port: 0,
      host: "127.0.0.1",
      dataDir: dir,
      config: parsed.config,
      log: () => undefined,
      runsPerWorkspace: 1000,
      rateLimit: { ratePerSec: 1e6, burst: 1e6 },
    });
    closing.unshift(() => gateway.close());
    node = {
      name: "node gateway",
      endpoint: { url: gateway.url, apiKey: gateway.firstStartKey ?? "" },
      pollMs: POLL_MS,
      gateway,
    };
  }
  let workers: (Target & { dev: BenchWorkers }) | undefined;
  if (parts.has("wa") || parts.has("wb")) {
    const dev = await startBenchWorkers();
    closing.unshift(() => dev.close());
    workers = { name: "workerd gateway", endpoint: dev.endpoint, pollMs: WORKERS_POLL_MS, dev };
    console.log(`wrangler dev (workerd) answered ${seconds(dev.startMs)} after it was spawned`);
  }
  const load = await import("node:os").then((os) =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
  );
  console.log(`load average before: ${load} (2 shared cores)`);

  const smallTargets = [parts.has("a") ? node : undefined, parts.has("wa") ? workers : undefined].filter(
    (t): t is NonNullable<typeof t> => t !== undefined,
  );
  if (smallTargets.length > 0) {
    const small = () => suiteOf(agent.url, 100, 300);
    await embedded(small()); // warm-up, every path
    for (const t of smallTargets) await passingRun(t, small());
    const emb: number[] = [];
    const walls = new Map<Target, number[]>(smallTargets.map((t) => [t, []]));
    const settles = new Map<Target, number[]>(smallTargets.map((t) => [t, []]));
    for (let round = 0; round < ROUNDS; round++) {
      emb.push(await embedded(small()));
      for (const t of smallTargets) {
        const out = await passingRun(t, small());
        walls.get(t)?.push(out.wallMs);
        settles.get(t)?.push(out.serverMs);
      }
    }
    const e = percentile(emb, 50);
    const median = (t: Target | undefined, of: Map<Target, number[]>) =>
      percentile(t ? (of.get(t) ?? []) : [], 50);
    console.log(
      `(a) 100 scenarios × 5 turns, spec defaults (settle 300 ms), ${ROUNDS} alternating rounds, median wall`,
    );
    console.log(`    embedded runBatch      ${seconds(e)}   (rounds: ${list(emb)})`);
    for (const t of smallTargets) {
      console.log(
        `    ${t.name.padEnd(22)} ${seconds(median(t, walls))}   (rounds: ${list(walls.get(t) ?? [])}; polled every ${t.pollMs} ms; server settle ${list(settles.get(t) ?? [])})`,
      );
    }
    for (const t of smallTargets) {
      console.log(`    ratio ${t.name}/embedded ${ratio(median(t, walls), e)}  (target ≤ 1.3×)`);
    }
    if (node && workers && smallTargets.length === 2) {
      console.log(
        `    ratio workerd/node: wall ${ratio(median(workers, walls), median(node, walls))}, server settle ${ratio(median(workers, settles), median(node, settles))}`,
      );
    }
  }

  const bigSuite = () => suiteOf(agent.url, 200, 0);
  const bigEmbedded = parts.has("b") || parts.has("wb") ? await embedded(suiteOf(agent.url, 200, 0, 5)) : 0;
  let nodeBig: TestRunOutcome | undefined;
  if (parts.has("b") && node) {
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const wait = { frequency: 5, pollMs: POLL_MS, deadlineMs: MANY_DEADLINE_MS, stallMs: STALL_MS };
    nodeBig = await throughGateway(node.endpoint, bigSuite(), wait).finally(() => clearInterval(sampler));
    const { runs } = nodeBig;
    console.log("(b) 1,000 concurrent text runs (200 scenarios × 5, settle 0), Node gateway");
    console.log(`    embedded runBatch     ${seconds(bigEmbedded)}`);
    console.log(
      `    gateway test run      ${seconds(nodeBig.wallMs)}   finished ${runs.completed + runs.failed}/${runs.total}, passed ${runs.passed}; peak RSS (gateway + bench) ${mib(peakRss)}`,
    );
    if (!nodeBig.finished) console.log(`    GAVE UP: ${nodeBig.why}`);
    console.log(`    ratio gateway/embedded ${ratio(nodeBig.wallMs, bigEmbedded)}`);
  }

  if (parts.has("wb") && workers) {
    await manyRunsInWorkerd({
      dev: workers.dev,
      suite: suiteOf(agent.url, WORKERS_RUNS / 5, 0),
      runs: WORKERS_RUNS,
      frequency: 5,
      deadlineMs: MANY_DEADLINE_MS,
      stallMs: STALL_MS,
      embeddedMs:
        WORKERS_RUNS === 1000 ? bigEmbedded : await embedded(suiteOf(agent.url, WORKERS_RUNS / 5, 0, 5)),
      nodeMs: nodeBig?.finished ? nodeBig.wallMs : undefined,
    });
  }

  if (parts.has("c") && node) {
    if (!nodeBig?.finished) throw new Error("(c) needs the 1,000-run test run of (b)");
    const auth = { "X-API-Key": node.endpoint.apiKey };
    const at = (path: string) =>
      httpLoad({
        url: `${node.endpoint.url}${path}`,
        headers: auth,
        connections: LOAD_CLIENTS,
        seconds: LOAD_SECONDS,
      });
    const floor = await at("/v1/credits");
    const view = await at(`/v1/test-runs/${nodeBig.testRunId}`);
    console.log(
      `(c) autocannon, ${LOAD_CLIENTS} keep-alive connections for ${LOAD_SECONDS} s each, Node gateway`,
    );
    console.log(`    GET /v1/credits (baseline)            ${formatLoad(floor)}`);
    console.log(`    GET /v1/test-runs/{id} (1,000 runs)   ${formatLoad(view)}`);
    console.log(
      `    ratio test run/baseline: requests/s ${ratio(view.requestsPerSec, floor.requestsPerSec)}  p50 ${ratio(view.p50Ms, floor.p50Ms)}  p99 ${ratio(view.p99Ms, floor.p99Ms)}`,
    );
  }
  console.log(`load average after:  ${loadAverage()}`);
} finally {
  for (const close of closing) await close();
}
