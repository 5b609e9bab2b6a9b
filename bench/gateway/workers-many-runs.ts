/**
 * Part (wb): 1,000 concurrent text runs as Durable Objects in one local workerd. Prints whether
 * all finished, how many passed, the wall time and the peak RSS of the workerd processes (and of
 * wrangler's own Node and esbuild), sampled from /proc. The wait is bounded (deadline, polls
 * unanswered, workerd dying of a signal): when the runs do not all finish, it says how far they
 * got, why it gave up and what wrangler printed, instead of hanging. A progress line every PROGRESS_MS shows where it slows.
 */
import { type RunTally, type TestRunOutcome, throughGateway } from "./gateway-client.ts";
import { sampleTreeRss, treeRss } from "./process-tree-rss.ts";
import { type BenchWorkers, workersGroup } from "./workers-gateway.ts";

const PROGRESS_MS = 15_000;
/** What workerd prints when it dies of a signal (wrangler passes its stderr through). */
const CRASH = /Received signal #\d+/;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export interface ManyRunsInWorkerd {
  dev: BenchWorkers;
  suite: object;
  /** Runs in all: the suite's scenarios × frequency. */
  runs: number;
  frequency: number;
  deadlineMs: number;
  stallMs: number;
  /** The same runs embedded and (if it ran) through Node, for the ratios. */
  embeddedMs: number;
  nodeMs: number | undefined;
}

export async function manyRunsInWorkerd(o: ManyRunsInWorkerd): Promise<void> {
  const { dev } = o;
  const workerdNow = () => treeRss(dev.wranglerPid, workersGroup).peak.get("workerd") ?? 0;
  const idleWorkerd = workerdNow();
  const sampler = sampleTreeRss(dev.wranglerPid, 100, workersGroup);
  const linesBefore = dev.lines.length;
  const t0 = performance.now();
  let reportedAt = 0;
  const progress = (elapsedMs: number, runs: RunTally) => {
    if (elapsedMs - reportedAt < PROGRESS_MS) return;
    reportedAt = elapsedMs;
    console.log(
      `     … ${Math.round(elapsedMs / 1000)} s: ${runs.completed + runs.failed}/${runs.total} ended, workerd RSS ${mib(workerdNow())}`,
    );
  };
  console.log(
    `(wb) ${o.runs.toLocaleString("en")} concurrent text runs as Durable Objects in one local workerd (${o.runs / o.frequency} scenarios × ${o.frequency}, settle 0)`,
  );
  let out: TestRunOutcome | undefined;
  let failure: unknown;
  try {
    out = await throughGateway(dev.endpoint, o.suite, {
      frequency: o.frequency,
      // The Worker's rate limit is per key; 4 polls/s leave room, and the interval is nothing
      // beside a run of this size.
      pollMs: 250,
      deadlineMs: o.deadlineMs,
      stallMs: o.stallMs,
      requestTimeoutMs: 30_000,
      onPoll: progress,
      giveUp: () => {
        const crash = dev.lines.slice(linesBefore).find((l) => CRASH.test(l.text));
        return (
          crash && `workerd crashed ${seconds(crash.atMs - t0)} after the test run was started: ${crash.text}`
        );
      },
    });
  } catch (error) {
    failure = error;
  }
  const seen = sampler.stop();
  const peak = (group: string) => seen.peak.get(group) ?? 0;
  console.log(`    embedded runBatch     ${seconds(o.embeddedMs)}`);
  if (out !== undefined) {
    const { runs } = out;
    console.log(
      `    workerd test run      ${seconds(out.wallMs)}   finished ${runs.completed + runs.failed}/${runs.total}, passed ${runs.passed}${out.finished ? `; server settle ${seconds(out.serverMs)}` : ""}; POST /v1/test-runs answered in ${seconds(out.startMs)}`,
    );
  }
  console.log(
    `    peak RSS workerd ${mib(peak("workerd"))} (${seen.processes.get("workerd") ?? 0} processes; ${mib(idleWorkerd)} before), wrangler's node + esbuild ${mib(peak("wrangler"))}`,
  );
  if (out !== undefined && out.failures.size > 0) {
    const top = [...out.failures].sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(`    why runs did not pass: ${top.map(([reason, n]) => `${n} × ${reason}`).join("; ")}`);
  }
  if (out !== undefined && out.rateLimited + out.unanswered > 0) {
    console.log(
      `    polls answered 429: ${out.rateLimited}; polls unanswered within 30 s: ${out.unanswered}`,
    );
  }
  if (failure !== undefined || (out !== undefined && !out.finished)) {
    const why = failure instanceof Error ? failure.message : out && !out.finished ? out.why : String(failure);
    console.log(`    GAVE UP: ${why}; wrangler's last lines:`);
    for (const line of dev.lines.slice(Math.max(linesBefore, dev.lines.length - 20))) {
      console.log(`      [${seconds(line.atMs - t0)}] ${line.text.slice(0, 240)}`);
    }
  }
  if (out?.finished) {
    console.log(`    ratio workerd/embedded ${(out.wallMs / o.embeddedMs).toFixed(2)}×`);
    if (o.nodeMs !== undefined)
      console.log(`    ratio workerd/node    ${(out.wallMs / o.nodeMs).toFixed(2)}×`);
  }
}
