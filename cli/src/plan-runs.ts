/** What `spar run` will run: the filtered scenarios × repeat, refused at plan time when it cannot run. */
import { type BatchFilter, countPlannedRuns, type PlannedRun, planBatch } from "@spar/gateway";
import { MAX_PLANNED_RUNS, type Suite } from "@spar/protocol";
import { voiceConfigProblem } from "./check-voice-config.ts";
import { UsageError } from "./usage-error.ts";

export function planRuns(
  suites: readonly { name: string; suite: Suite }[],
  filter: BatchFilter,
): PlannedRun[] {
  // Counted before planning: a typo in repeat must not allocate millions of runs first.
  const planned = countPlannedRuns(suites, filter);
  if (planned > MAX_PLANNED_RUNS) {
    throw new UsageError(
      `${planned.toLocaleString("en-US")} runs planned (scenarios × repeat across suites), over the limit of ${MAX_PLANNED_RUNS.toLocaleString("en-US")}; narrow the selection with --tag or --only, or lower repeat`,
    );
  }
  const plan = planBatch(suites, filter);
  if (plan.length === 0) throw new UsageError(noMatchMessage(suites, filter));
  const voiceChecked = new Set<Suite>();
  for (const run of plan) {
    if (run.channel === "voice" && !run.suite.agent.voice) {
      throw new UsageError(
        `${run.suiteName}: scenario ${run.scenario.id} runs on the voice channel but agent.voice is not configured; add agent.voice or run with --channel text`,
      );
    }
    if (run.channel === "voice" && !voiceChecked.has(run.suite)) {
      voiceChecked.add(run.suite);
      const problem = voiceConfigProblem(run.suite);
      if (problem) throw new UsageError(`${run.suiteName}: ${problem}`);
    }
    if (run.channel === "text" && !run.suite.agent.text) {
      throw new UsageError(
        `${run.suiteName}: scenario ${run.scenario.id} runs on the text channel but agent.text is not configured; add agent.text or run with --channel voice`,
      );
    }
  }
  return plan;
}

/** `no scenario matches --tag x; tags in the suites: a, b` — what was asked and what there is. */
function noMatchMessage(suites: readonly { suite: Suite }[], filter: BatchFilter): string {
  const scenarios = suites.flatMap(({ suite }) => suite.scenarios);
  const list = (items: Iterable<string>) => {
    const all = [...new Set(items)];
    return all.length === 0 ? "none" : all.length > 10 ? `${all.slice(0, 10).join(", ")}, …` : all.join(", ");
  };
  const asked = [
    ...(filter.tags ?? []).map((t) => `--tag ${t}`),
    ...(filter.only ?? []).map((id) => `--only ${id}`),
  ].join(" ");
  return `no scenario matches ${asked}; scenario ids: ${list(scenarios.map((s) => s.id))}; tags: ${list(scenarios.flatMap((s) => s.tags ?? []))}`;
}
