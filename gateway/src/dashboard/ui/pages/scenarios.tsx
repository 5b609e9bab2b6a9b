/** Scenarios: the list, and one scenario to read, create or edit as the suite file's JSON. */
import { getJson } from "../api.ts";
import { ErrorNote, formatTime, Loading, Table } from "../components.tsx";
import { BASE, navigate } from "../router.ts";
import { scenarioListSchema, scenarioViewSchema } from "../schemas.ts";
import { useLoad } from "../use-load.ts";
import { editableOf, JsonEditor } from "./json-editor.tsx";

const READ_ONLY = ["id", "created_at", "updated_at"];

const NEW_SCENARIO = {
  key: "refund",
  name: "Refund",
  script: [{ say: "I want a refund" }, { end: true }],
};

export function ScenariosPage() {
  const list = useLoad(() => getJson("/v1/scenarios?limit=100", scenarioListSchema), []);
  return (
    <>
      <h1>Scenarios</h1>
      <p>
        <a class="button" href={`${BASE}/scenarios/new`}>
          New scenario
        </a>
      </p>
      <ErrorNote error={list.error} />
      {list.data === null ? (
        <Loading what="scenarios" />
      ) : (
        <Table label="Scenarios">
          <thead>
            <tr>
              <th scope="col">Scenario</th>
              <th scope="col">Key</th>
              <th scope="col">Agent</th>
              <th scope="col">Tags</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={`${BASE}/scenarios/${s.id}`}>{s.name ?? s.key ?? `scenario ${s.id}`}</a>
                </td>
                <td>
                  <code>{s.key ?? "—"}</code>
                </td>
                <td>
                  {s.agent_id === null ? "—" : <a href={`${BASE}/agents/${s.agent_id}`}>#{s.agent_id}</a>}
                </td>
                <td>{s.tags.join(", ")}</td>
                <td>{formatTime(s.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

export function ScenarioPage({ id }: { id: number | "new" }) {
  const scenario = useLoad(
    () => (id === "new" ? Promise.resolve(null) : getJson(`/v1/scenarios/${id}`, scenarioViewSchema)),
    [id],
  );
  if (id === "new") {
    return (
      <>
        <h1>New scenario</h1>
        <JsonEditor
          label="Scenario"
          initial={NEW_SCENARIO}
          method="POST"
          path="/v1/scenarios"
          schema={scenarioViewSchema}
          help="A scenario of the suite file (docs/suite-file.md), with agent_id to attach it to an agent."
          onSaved={(saved) => navigate(`${BASE}/scenarios/${saved.id}`)}
        />
      </>
    );
  }
  if (scenario.error) return <ErrorNote error={scenario.error} />;
  if (scenario.data === null) return <Loading what={`scenario ${id}`} />;
  const s = scenario.data;
  return (
    <>
      <p class="crumbs">
        <a href={`${BASE}/scenarios`}>Scenarios</a> /
      </p>
      <h1>{s.name ?? s.key ?? `Scenario ${s.id}`}</h1>
      <JsonEditor
        key={s.updated_at}
        label="Scenario"
        initial={editableOf(s, READ_ONLY)}
        method="PATCH"
        path={`/v1/scenarios/${s.id}`}
        schema={scenarioViewSchema}
        help="Fields left out keep their value; null clears an optional one."
        onSaved={() => scenario.reload()}
      />
    </>
  );
}
