/**
 * Text benchmark (`npm run bench:text`). All figures come from one run, side by side:
 *  (a) per-turn cycle of a bare `ws` request/reply loop vs the platform's session (core + shell
 *      + scripted caller) against the same instant agent → platform-added ms per turn, ratio;
 *  (b) 1,000 concurrent sessions in this process: wall time, turns/s, peak RSS;
 *  (c) 100 scenarios × 5 turns through the embedded batch runner (spec defaults, settle 300 ms).
 */
import { createScriptedCaller } from "@spar/caller";
import {
  DEFAULT_SESSION_CONFIG,
  newId,
  planBatch,
  runBatch,
  runTextScenario,
  runTextSession,
} from "@spar/gateway";
import { parseSuite, percentile } from "@spar/protocol";
import WebSocket from "ws";
import { startInstantAgent } from "./start-instant-agent.ts";

const TURNS = Number(process.env.BENCH_TURNS ?? 2000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1000);
const TURNS_PER_SESSION = 5;

const fmt = (x: number) => x.toFixed(3);
function stats(xs: number[]) {
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length };
}

/** Baseline: the cheapest possible caller, a bare ws client sending the next message on each reply. */
async function bareLoop(url: string, turns: number): Promise<number[]> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r) => ws.once("open", r));
  const cycles: number[] = [];
  let last = performance.now();
  await new Promise<void>((resolve) => {
    let n = 0;
    ws.on("message", () => {
      const now = performance.now();
      cycles.push(now - last);
      last = now;
      if (++n === turns) return resolve();
      ws.send(JSON.stringify({ type: "message", content: `turn ${n}` }));
    });
    last = performance.now();
    ws.send(JSON.stringify({ type: "message", content: "turn 0" }));
  });
  ws.close();
  return cycles;
}

/** The platform: one session of `turns` scripted turns, settle window 0 (no deliberate waiting). */
async function platformLoop(url: string, turns: number): Promise<number[]> {
  const script = Array.from({ length: turns }, (_, i) => ({ say: `turn ${i}` }));
  const result = await runTextSession({
    url,
    headers: { "X-RUBRIC-SECRET": "bench" },
    config: { ...DEFAULT_SESSION_CONFIG, settleMs: 0 },
    caller: createScriptedCaller(script),
  });
  const sent = result.transcript.filter((e) => e.role === "user").map((e) => e.at_ms);
  // A cycle: caller message k sent → caller message k+1 sent (reply, decode, caller, encode, send).
  return sent.slice(1).map((t, i) => t - (sent[i] as number));
}

async function concurrentSessions(url: string, sessions: number) {
  const script = Array.from({ length: TURNS_PER_SESSION }, (_, i) => ({ say: `turn ${i}` }));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: sessions }, () =>
      runTextSession({
        url,
        headers: { "X-RUBRIC-SECRET": "bench" },
        config: { ...DEFAULT_SESSION_CONFIG, settleMs: 0, connectTimeoutMs: 30_000 },
        caller: createScriptedCaller(script),
      }),
    ),
  );
  const wall = performance.now() - t0;
  clearInterval(sampler);
  const ok = results.filter((r) => r.status === "completed").length;
  const turns = results.reduce((n, r) => n + r.transcript.filter((e) => e.role === "agent").length, 0);
  return { wall, ok, turns, peakRss };
}

async function embeddedBatch(url: string) {
  const parsed = parseSuite({
    version: 1,
    agent: { id: "bench", text: { url, secret: "bench" } },
    scenarios: Array.from({ length: 100 }, (_, i) => ({
      id: `s${i}`,
      script: Array.from({ length: TURNS_PER_SESSION }, (_, k) => ({ say: `turn ${k}` })),
    })),
  });
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
  return {
    wall: performance.now() - t0,
    passed: reports.filter((r) => r.passed).length,
    total: reports.length,
  };
}

const agent = await startInstantAgent();
try {
  // Warm up both paths (JIT, sockets) before measuring.
  await bareLoop(agent.url, 200);
  await platformLoop(agent.url, 200);
  // Alternate the two in rounds so background load hits both alike.
  const bareCycles: number[] = [];
  const platformCycles: number[] = [];
  for (let round = 0; round < 5; round++) {
    bareCycles.push(...(await bareLoop(agent.url, TURNS / 5)));
    platformCycles.push(...(await platformLoop(agent.url, TURNS / 5)));
  }
  const bare = stats(bareCycles);
  const platform = stats(platformCycles);
  console.log(
    `(a) per-turn cycle over ${TURNS} turns each, 5 alternating rounds, against an instant agent (ms)`,
  );
  console.log(`    bare ws loop      p50 ${fmt(bare.p50)}  p99 ${fmt(bare.p99)}`);
  console.log(`    spar session      p50 ${fmt(platform.p50)}  p99 ${fmt(platform.p99)}`);
  console.log(
    `    platform-added    p50 ${fmt(platform.p50 - bare.p50)}  p99 ${fmt(platform.p99 - bare.p99)}  ` +
      `ratio p50 ${(platform.p50 / bare.p50).toFixed(2)}×  p99 ${(platform.p99 / bare.p99).toFixed(2)}×`,
  );

  const c = await concurrentSessions(agent.url, CONCURRENT);
  console.log(`(b) ${CONCURRENT} concurrent sessions × ${TURNS_PER_SESSION} turns in one process`);
  console.log(
    `    completed ${c.ok}/${CONCURRENT}  wall ${(c.wall / 1000).toFixed(2)} s  ${Math.round(c.turns / (c.wall / 1000))} turns/s  peak RSS ${Math.round(c.peakRss / 2 ** 20)} MiB`,
  );

  const b = await embeddedBatch(agent.url);
  console.log(
    "(c) 100 scenarios × 5 turns, embedded batch runner, spec defaults (settle 300 ms), concurrency 100",
  );
  console.log(`    passed ${b.passed}/${b.total}  wall ${(b.wall / 1000).toFixed(2)} s  (target ≤ 5 s)`);
} finally {
  agent.child.kill();
}
