/** Agents: the list, and one agent to read, create or edit (secrets write-only, shown as "configured"). */
import { getJson } from "../api.ts";
import { ErrorNote, formatTime, Loading, Table } from "../components.tsx";
import { BASE, navigate } from "../router.ts";
import { agentListSchema, agentViewSchema } from "../schemas.ts";
import { useLoad } from "../use-load.ts";
import { editableOf, JsonEditor, Secrets } from "./json-editor.tsx";

const READ_ONLY = ["id", "created_at", "updated_at", "ignored_room_config_keys"];

const NEW_AGENT = {
  name: "Billing bot",
  key: "billing-bot",
  text: { url: "ws://127.0.0.1:9000/ws", secret: "…", per_turn_timeout_s: 30 },
};

export function AgentsPage() {
  const list = useLoad(() => getJson("/v1/agents?limit=100", agentListSchema), []);
  return (
    <>
      <h1>Agents</h1>
      <p>
        <a class="button" href={`${BASE}/agents/new`}>
          New agent
        </a>
      </p>
      <ErrorNote error={list.error} />
      {list.data === null ? (
        <Loading what="agents" />
      ) : (
        <Table label="Agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Key</th>
              <th scope="col">Channels</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={`${BASE}/agents/${a.id}`}>{a.name}</a>
                </td>
                <td>
                  <code>{a.key ?? "—"}</code>
                </td>
                <td>{[a.text && "text", a.voice && "voice"].filter(Boolean).join(", ")}</td>
                <td>{formatTime(a.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

export function AgentPage({ id }: { id: number | "new" }) {
  const agent = useLoad(
    () => (id === "new" ? Promise.resolve(null) : getJson(`/v1/agents/${id}`, agentViewSchema)),
    [id],
  );
  if (id === "new") {
    return (
      <>
        <h1>New agent</h1>
        <JsonEditor
          label="Agent"
          initial={NEW_AGENT}
          method="POST"
          path="/v1/agents"
          schema={agentViewSchema}
          help="The fields of docs/api.md § Agents. Secrets are stored encrypted and never shown again."
          onSaved={(saved) => navigate(`${BASE}/agents/${saved.id}`)}
        />
      </>
    );
  }
  if (agent.error) return <ErrorNote error={agent.error} />;
  if (agent.data === null) return <Loading what={`agent ${id}`} />;
  const a = agent.data;
  return (
    <>
      <p class="crumbs">
        <a href={`${BASE}/agents`}>Agents</a> /
      </p>
      <h1>{a.name}</h1>
      <Secrets of={a} />
      {a.ignored_room_config_keys.length > 0 && (
        <p class="notice">Room options not sent to LiveKit: {a.ignored_room_config_keys.join(", ")}</p>
      )}
      <JsonEditor
        key={a.updated_at}
        label="Agent"
        initial={editableOf(a, READ_ONLY)}
        method="PATCH"
        path={`/v1/agents/${a.id}`}
        schema={agentViewSchema}
        help='Secrets are write-only: leave them out to keep them, give a new value to replace one, or null to clear it (e.g. "text": {"secret": "…"}).'
        onSaved={() => agent.reload()}
      />
    </>
  );
}
