/** The benchmark's suites (N scenarios of 5 turns against one agent) and the embedded baseline. */
import { newId, planBatch, runBatch, runTextScenario } from "@spar/gateway";
import { parseSuite } from "@spar/protocol";

export function suiteOf(url: string, scenarios: number, settleMs: number, repeat = 1) {
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

/** Every run of the suite at once in this process (`runBatch`): wall ms; throws unless all pass. */
export async function embedded(suite: object): Promise<number> {
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
