/**
 * The one-scenario suites a gateway text run plays: the agent's text channel (secret opened by
 * the caller), the workspace LLM for persona and judge scenarios, and stored scenarios. Ids are
 * the platform's, as decimal strings — they travel as X-RUBRIC-AGENT-ID and -SCENARIO-ID.
 * Validated with the suite schema, so a run never starts from a suite the CLI would refuse.
 */
import { type LlmConfig, parseSuite, type Scenario, type Suite } from "@spar/protocol";
import type { ScenarioRecord } from "../db/repositories/scenarios.ts";
import type { StoredTextChannel } from "../db/schema.ts";

export interface RunSuiteInput {
  agentId: number;
  text: StoredTextChannel & { secret: string };
  llm: LlmConfig | undefined;
  scenarios: readonly ScenarioRecord[];
}

export type RunSuiteBuild =
  | { ok: true; suite: Suite; scenarioById: Map<number, Scenario> }
  | { ok: false; errors: string[] };

/** The test run's channel wins over a scenario's own `channel`; `repeat` is the test run's `frequency`. */
export function scenarioOf(record: ScenarioRecord): Scenario {
  const { channel: _channel, repeat: _repeat, ...body } = record.body;
  return {
    ...body,
    id: String(record.id),
    ...(record.name === null ? {} : { name: record.name }),
    ...(record.tags.length === 0 ? {} : { tags: record.tags }),
  };
}

export function buildRunSuite(input: RunSuiteInput): RunSuiteBuild {
  const parsed = parseSuite({
    version: 1,
    agent: { id: String(input.agentId), text: input.text },
    ...(input.llm === undefined ? {} : { caller: { llm: input.llm } }),
    defaults: { channel: "text", repeat: 1 },
    scenarios: input.scenarios.map(scenarioOf),
  });
  if (!parsed.ok) {
    // `scenarios[2]…` → `scenario 31…`: the caller knows its scenarios by id, not by position.
    const errors = parsed.errors.map((line) =>
      line.replace(/^scenarios\[(\d+)\]/, (whole, i: string) => {
        const record = input.scenarios[Number(i)];
        return record === undefined ? whole : `scenario ${record.id}`;
      }),
    );
    return { ok: false, errors };
  }
  const scenarioById = new Map(parsed.suite.scenarios.map((s) => [Number(s.id), s]));
  return { ok: true, suite: parsed.suite, scenarioById };
}

/** The job's suite: the same agent and caller, with only the scenario it plays. */
export function suiteFor(suite: Suite, scenario: Scenario): Suite {
  return { ...suite, scenarios: [scenario] };
}
