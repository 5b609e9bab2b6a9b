/** One test run: verdict, its runs, why the failed ones failed, pass rate over repeats per scenario. */
import { getJson } from "../api.ts";
import { Badge, ErrorNote, formatMs, formatTime, Loading, Passed, Section, Table } from "../components.tsx";
import { BASE } from "../router.ts";
import { type RunView, runListSchema, testRunViewSchema } from "../schemas.ts";
import { useLoad } from "../use-load.ts";
import { CiMetadata, Progress } from "./test-runs.tsx";

const POLL_MS = 1000;

interface ScenarioTally {
  name: string;
  total: number;
  passed: number;
  finished: number;
}

function byScenario(runs: readonly RunView[]): ScenarioTally[] {
  const tallies = new Map<string, ScenarioTally>();
  for (const run of runs) {
    const key = String(run.scenario_id ?? run.scenario_name);
    const tally = tallies.get(key) ?? {
      name: run.scenario_name ?? `scenario ${key}`,
      total: 0,
      passed: 0,
      finished: 0,
    };
    tally.total += 1;
    if (run.passed === true) tally.passed += 1;
    if (run.ended_at !== null) tally.finished += 1;
    tallies.set(key, tally);
  }
  return [...tallies.values()];
}

export function TestRunPage({ id }: { id: number }) {
  const loaded = useLoad(
    async () => {
      const [testRun, runs] = await Promise.all([
        getJson(`/v1/test-runs/${id}`, testRunViewSchema),
        getJson(`/v1/runs?test_run_id=${id}`, runListSchema),
      ]);
      return { testRun, runs: runs.data };
    },
    [id],
    { everyMs: POLL_MS, while: (d) => d.testRun.status === "running" },
  );
  if (loaded.error) return <ErrorNote error={loaded.error} />;
  if (loaded.data === null) return <Loading what={`test run ${id}`} />;
  const { testRun, runs } = loaded.data;
  const reasons = new Map(testRun.failed_runs.map((f) => [f.run_id, f.reason]));
  return (
    <>
      <p class="crumbs">
        <a href={`${BASE}/test-runs`}>Test runs</a> /
      </p>
      <h1>
        Test run #{testRun.test_run_id} {testRun.name ?? ""}
      </h1>
      <dl class="facts">
        <dt>Verdict</dt>
        <dd>
          <Badge value={testRun.verdict} />
        </dd>
        <dt>Pass rate</dt>
        <dd>
          {testRun.pass_rate}% (needs {testRun.success_threshold}%)
        </dd>
        <dt>Progress</dt>
        <dd>
          <Progress testRun={testRun} />
        </dd>
        <dt>Channel</dt>
        <dd>{testRun.channel}</dd>
        <dt>CI</dt>
        <dd>
          <CiMetadata meta={testRun.ci_metadata} />
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(testRun.created_at)}</dd>
        <dt>Finished</dt>
        <dd>{formatTime(testRun.finished_at)}</dd>
      </dl>
      <Section title="Pass rate per scenario">
        <Table label="Pass rate per scenario">
          <thead>
            <tr>
              <th scope="col">Scenario</th>
              <th scope="col">Passed</th>
              <th scope="col">Pass rate over repeats</th>
            </tr>
          </thead>
          <tbody>
            {byScenario(runs).map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td>
                  {s.passed}/{s.total}
                  {s.finished < s.total && <span class="muted"> ({s.total - s.finished} running)</span>}
                </td>
                <td>
                  <meter
                    min={0}
                    max={100}
                    value={(s.passed / s.total) * 100}
                    aria-label={`${s.name} pass rate`}
                  />{" "}
                  {Math.round((s.passed / s.total) * 1000) / 10}%
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
      <Section title="Runs">
        <Table label="Runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Scenario</th>
              <th scope="col">Status</th>
              <th scope="col">Result</th>
              <th scope="col">Duration</th>
              <th scope="col">Why it failed</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id}>
                <td>
                  <a href={`${BASE}/runs/${run.id}`}>
                    #{run.id} ({run.channel})
                  </a>
                </td>
                <td>
                  {run.scenario_name ?? "—"}
                  {run.attempt > 1 && <span class="muted"> · attempt {run.attempt}</span>}
                </td>
                <td>
                  <Badge value={run.status} />
                </td>
                <td>
                  <Passed passed={run.passed} />
                </td>
                <td>{formatMs(run.duration_ms)}</td>
                <td>{reasons.get(run.id) ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    </>
  );
}
