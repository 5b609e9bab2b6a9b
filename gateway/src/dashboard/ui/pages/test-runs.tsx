/** Test runs, newest first, with their progress while they run; and a form to start one. */
import { useState } from "preact/hooks";
import { getJson, sendJson } from "../api.ts";
import { Badge, ErrorNote, formatTime, Loading, Section, Table } from "../components.tsx";
import { BASE, navigate } from "../router.ts";
import {
  agentListSchema,
  scenarioListSchema,
  type TestRunView,
  testRunListSchema,
  testRunStartedSchema,
} from "../schemas.ts";
import { useLoad } from "../use-load.ts";

const POLL_MS = 1000;

function CiMetadata({ meta }: { meta: TestRunView["ci_metadata"] }) {
  if (meta === null || Object.keys(meta).length === 0) return <span class="muted">—</span>;
  const text = (k: string) => (typeof meta[k] === "string" ? (meta[k] as string) : null);
  const sha = text("sha");
  const runUrl = text("run_url");
  const parts = [text("repo"), text("branch"), sha?.slice(0, 7)].filter((p): p is string => p !== null);
  return (
    <span>
      {parts.join(" · ") || Object.keys(meta).join(", ")}
      {runUrl !== null && /^https?:\/\//.test(runUrl) && (
        <>
          {" "}
          <a href={runUrl} rel="noreferrer noopener" target="_blank">
            CI run
          </a>
        </>
      )}
    </span>
  );
}

export function Progress({ testRun }: { testRun: TestRunView }) {
  const finished = testRun.runs.completed + testRun.runs.failed;
  return (
    <span class="progress">
      <progress
        max={Math.max(1, testRun.runs.total)}
        value={finished}
        aria-label={`test run ${testRun.test_run_id} progress`}
      />
      <span>
        {finished}/{testRun.runs.total}
      </span>
    </span>
  );
}

function StartTestRun() {
  const agents = useLoad(() => getJson("/v1/agents?limit=100", agentListSchema), []);
  const [agentId, setAgentId] = useState<number | null>(null);
  const chosen = agentId ?? agents.data?.data[0]?.id ?? null;
  const scenarios = useLoad(
    () =>
      chosen === null
        ? Promise.resolve(null)
        : getJson(`/v1/scenarios?agent_id=${chosen}&limit=100`, scenarioListSchema),
    [chosen],
  );
  const [unchecked, setUnchecked] = useState<Set<number>>(new Set());
  const [frequency, setFrequency] = useState(1);
  const [threshold, setThreshold] = useState(100);
  const [name, setName] = useState("");
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  if (agents.error) return <ErrorNote error={agents.error} />;
  if (agents.data === null) return <Loading what="agents" />;
  if (agents.data.data.length === 0) {
    return (
      <p>
        No agents yet: <a href={`${BASE}/agents/new`}>create one</a> or push a suite with{" "}
        <code>spar run --gateway</code>.
      </p>
    );
  }
  const scenarioIds = (scenarios.data?.data ?? []).map((s) => s.id).filter((id) => !unchecked.has(id));

  async function start(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const started = await sendJson(
        "POST",
        "/v1/test-runs",
        {
          agent_id: chosen,
          scenario_ids: scenarioIds,
          frequency,
          success_threshold: threshold,
          ...(name.trim() === "" ? {} : { name: name.trim() }),
        },
        testRunStartedSchema,
      );
      navigate(`${BASE}/test-runs/${started.test_run_id}`);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="start-form" onSubmit={start}>
      <div class="field">
        <label for="start-agent">Agent</label>
        <select
          id="start-agent"
          value={String(chosen)}
          onChange={(e) => {
            setAgentId(Number(e.currentTarget.value));
            setUnchecked(new Set());
          }}
        >
          {agents.data.data.map((a) => (
            <option key={a.id} value={String(a.id)}>
              {a.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="field">
        <legend>Scenarios</legend>
        {scenarios.data === null ? (
          <Loading what="scenarios" />
        ) : scenarios.data.data.length === 0 ? (
          <p class="muted">This agent has no scenarios.</p>
        ) : (
          scenarios.data.data.map((s) => (
            <label key={s.id} class="check">
              <input
                type="checkbox"
                checked={!unchecked.has(s.id)}
                onChange={(e) => {
                  const next = new Set(unchecked);
                  if (e.currentTarget.checked) next.delete(s.id);
                  else next.add(s.id);
                  setUnchecked(next);
                }}
              />
              {s.name ?? s.key ?? `scenario ${s.id}`}
            </label>
          ))
        )}
      </fieldset>
      <div class="field">
        <label for="start-frequency">Runs per scenario</label>
        <input
          id="start-frequency"
          type="number"
          min={1}
          max={5}
          value={frequency}
          onInput={(e) => setFrequency(Number(e.currentTarget.value))}
        />
      </div>
      <div class="field">
        <label for="start-threshold">Pass threshold (%)</label>
        <input
          id="start-threshold"
          type="number"
          min={0}
          max={100}
          value={threshold}
          onInput={(e) => setThreshold(Number(e.currentTarget.value))}
        />
      </div>
      <div class="field">
        <label for="start-name">Name (optional)</label>
        <input id="start-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy || scenarioIds.length === 0}>
        {busy ? "Starting…" : "Start test run"}
      </button>
    </form>
  );
}

export function TestRunsPage() {
  const list = useLoad(() => getJson("/v1/test-runs?limit=50", testRunListSchema), [], {
    everyMs: POLL_MS,
    while: (page) => page.data.some((t) => t.status === "running"),
  });
  return (
    <>
      <h1>Test runs</h1>
      <details class="panel">
        <summary>Start a test run</summary>
        <StartTestRun />
      </details>
      <ErrorNote error={list.error} />
      {list.data === null ? (
        <Loading what="test runs" />
      ) : list.data.data.length === 0 ? (
        <p>No test runs yet.</p>
      ) : (
        <Section title="Newest first">
          <Table label="Test runs">
            <thead>
              <tr>
                <th scope="col">Test run</th>
                <th scope="col">Verdict</th>
                <th scope="col">Pass rate</th>
                <th scope="col">Progress</th>
                <th scope="col">CI</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((t) => (
                <tr key={t.test_run_id}>
                  <td>
                    <a href={`${BASE}/test-runs/${t.test_run_id}`}>
                      #{t.test_run_id} {t.name ?? ""}
                    </a>
                  </td>
                  <td>
                    <Badge value={t.verdict} />
                  </td>
                  <td>
                    {t.pass_rate}% <span class="muted">(needs {t.success_threshold}%)</span>
                  </td>
                  <td>
                    <Progress testRun={t} />
                  </td>
                  <td>
                    <CiMetadata meta={t.ci_metadata} />
                  </td>
                  <td>{formatTime(t.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Section>
      )}
    </>
  );
}

export { CiMetadata };
