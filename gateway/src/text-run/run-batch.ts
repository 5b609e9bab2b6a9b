/**
 * A batch: every selected scenario × repeat, run with bounded concurrency. One batch id for
 * all runs (sent as X-RUBRIC-BATCH-ID); each run's id is its X-RUBRIC-RUN-ID.
 */
import type { Channel, RunReport, Scenario, Suite } from "@spar/protocol";

export interface PlannedRun {
  suite: Suite;
  suiteName: string;
  scenario: Scenario;
  channel: Channel;
  attempt: number;
  runId: string;
}

export interface BatchFilter {
  /** Keep scenarios having any of these tags. */
  tags?: readonly string[];
  /** Keep only these scenario ids. */
  only?: readonly string[];
  /** Run every scenario on this channel instead of its own. */
  channel?: Channel;
}

export function newId(prefix: "run" | "batch"): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** The scenarios `filter` keeps, with the channel and repeat each runs with. */
function* selectScenarios(suites: readonly { name: string; suite: Suite }[], filter: BatchFilter) {
  for (const { name, suite } of suites) {
    for (const scenario of suite.scenarios) {
      if (filter.only?.length && !filter.only.includes(scenario.id)) continue;
      if (filter.tags?.length && !scenario.tags?.some((t) => filter.tags?.includes(t))) continue;
      const channel = filter.channel ?? scenario.channel ?? suite.defaults.channel;
      const repeat = scenario.repeat ?? suite.defaults.repeat;
      yield { name, suite, scenario, channel, repeat };
    }
  }
}

/** How many runs `planBatch` would plan, without planning them (a cap is checked first). */
export function countPlannedRuns(
  suites: readonly { name: string; suite: Suite }[],
  filter: BatchFilter = {},
): number {
  let total = 0;
  for (const { repeat } of selectScenarios(suites, filter)) total += repeat;
  return total;
}

export function planBatch(
  suites: readonly { name: string; suite: Suite }[],
  filter: BatchFilter = {},
): PlannedRun[] {
  const out: PlannedRun[] = [];
  for (const { name, suite, scenario, channel, repeat } of selectScenarios(suites, filter)) {
    for (let attempt = 1; attempt <= repeat; attempt++) {
      out.push({ suite, suiteName: name, scenario, channel, attempt, runId: newId("run") });
    }
  }
  return out;
}

export interface BatchHooks {
  runStarted?(run: PlannedRun): void;
  runFinished?(run: PlannedRun, report: RunReport): void;
}

/** Runs `plan` with at most `concurrency` runs at once; reports come back in plan order. */
export async function runBatch(
  plan: readonly PlannedRun[],
  concurrency: number,
  runOne: (run: PlannedRun) => Promise<RunReport>,
  hooks: BatchHooks = {},
): Promise<RunReport[]> {
  const reports: RunReport[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const index = next++;
      const run = plan[index] as PlannedRun;
      hooks.runStarted?.(run);
      const report = await runOne(run);
      reports[index] = report;
      hooks.runFinished?.(run, report);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, plan.length)) }, worker);
  await Promise.all(workers);
  return reports;
}
