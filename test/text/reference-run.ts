/**
 * Runs one scenario through the real path (suite → caller → session core → ws shell) against
 * the reference text agent's real socket. Each test file that imports it gets its own agent.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { newId, runTextScenario, type TextRunDeps } from "@spar/gateway";
import { parseSuite, type RunReport, type SuiteInput } from "@spar/protocol";
import { afterAll, beforeAll } from "vitest";

export const SECRET = "s3cret-for-tests";

type ScenarioInput = SuiteInput["scenarios"][number];
export interface ReferenceRunOptions {
  behavior?: string;
  path?: string;
  secret?: string;
  url?: string;
  text?: Partial<NonNullable<SuiteInput["agent"]["text"]>>;
  deps?: TextRunDeps;
}

export type ReferenceRun = (
  scenario: Omit<ScenarioInput, "id">,
  opts?: ReferenceRunOptions,
) => Promise<RunReport>;

/** Starts the reference agent for the calling file (beforeAll/afterAll) and returns the runner. */
export function useReferenceAgent(): ReferenceRun {
  let agent: ReferenceTextAgent;
  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
  });
  afterAll(async () => {
    await agent.close();
  });
  return async (scenario, opts = {}) => {
    const query = opts.behavior ? `?behavior=${encodeURIComponent(opts.behavior)}` : "";
    const parsed = parseSuite({
      version: 1,
      agent: {
        // The reference agent routes on the agent id first, then on the URL path.
        id: opts.path === "/echo" ? "echo-bot" : "billing-bot",
        text: {
          url: opts.url ?? `${agent.url}${opts.path ?? ""}${query}`,
          secret: opts.secret ?? SECRET,
          per_turn_timeout_s: 2,
          max_duration_s: 10,
          settle_ms: 50,
          ...opts.text,
        },
      },
      scenarios: [{ id: "s", ...scenario }],
    } satisfies SuiteInput);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const suite = parsed.suite;
    return runTextScenario(
      { suite, scenario: suite.scenarios[0]!, attempt: 1, runId: newId("run"), batchId: newId("batch") },
      { connectTimeoutMs: 2000, closeGraceMs: 1000, ...opts.deps },
    );
  };
}

export const contents = (r: RunReport) => r.transcript.map((e) => `${e.role}:${e.content}`);
