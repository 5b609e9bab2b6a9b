/** API keys (the key shown once at creation, then only its prefix) and webhooks (the secret once). */
import { WEBHOOK_EVENT_TYPES } from "@spar/protocol";
import { useState } from "preact/hooks";
import { getJson, request, sendJson } from "../api.ts";
import { ErrorNote, formatTime, Loading, Section, Table } from "../components.tsx";
import {
  apiKeyListSchema,
  createdApiKeySchema,
  createdWebhookSchema,
  webhookListSchema,
} from "../schemas.ts";
import { useLoad } from "../use-load.ts";

function ShownOnce({ what, value }: { what: string; value: string }) {
  return (
    <div class="notice" role="status">
      <p>The new {what}, shown this once — copy it now:</p>
      <code class="secret-value">{value}</code>
    </div>
  );
}

function ApiKeys() {
  const list = useLoad(() => getJson("/v1/api-keys", apiKeyListSchema), []);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const act = async (work: () => Promise<void>) => {
    try {
      await work();
      setError(null);
      list.reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  return (
    <Section title="API keys">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const key = await sendJson("POST", "/v1/api-keys", { name: name.trim() }, createdApiKeySchema);
            setCreated(key.key);
            setName("");
          });
        }}
      >
        <label for="key-name">New key's name</label>
        <input id="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Create key</button>
      </form>
      {created !== null && <ShownOnce what="API key" value={created} />}
      <ErrorNote error={error ?? list.error} />
      {list.data === null ? (
        <Loading what="API keys" />
      ) : (
        <Table label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{formatTime(k.created_at)}</td>
                <td>{formatTime(k.last_used_at)}</td>
                <td>
                  {k.revoked_at !== null ? (
                    `revoked ${formatTime(k.revoked_at)}`
                  ) : (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke key ${k.name}`}
                      onClick={() => {
                        if (confirm(`Revoke the key "${k.name}"? Clients using it stop working.`)) {
                          void act(async () => void (await request("DELETE", `/v1/api-keys/${k.id}`)));
                        }
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Section>
  );
}

function Webhooks() {
  const list = useLoad(() => getJson("/v1/webhooks?limit=100", webhookListSchema), []);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<Set<string>>(new Set(WEBHOOK_EVENT_TYPES));
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const act = async (work: () => Promise<void>) => {
    try {
      await work();
      setError(null);
      list.reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  return (
    <Section title="Webhooks">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const hook = await sendJson(
              "POST",
              "/v1/webhooks",
              { url: url.trim(), events: [...events] },
              createdWebhookSchema,
            );
            setSecret(hook.secret);
            setUrl("");
          });
        }}
      >
        <label for="webhook-url">Webhook URL</label>
        <input id="webhook-url" type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} class="check">
              <input
                type="checkbox"
                checked={events.has(type)}
                onChange={(e) => {
                  const next = new Set(events);
                  if (e.currentTarget.checked) next.add(type);
                  else next.delete(type);
                  setEvents(next);
                }}
              />
              {type}
            </label>
          ))}
        </fieldset>
        <button type="submit">Add webhook</button>
      </form>
      {secret !== null && <ShownOnce what="webhook signing secret" value={secret} />}
      <ErrorNote error={error ?? list.error} />
      {list.data === null ? (
        <Loading what="webhooks" />
      ) : list.data.data.length === 0 ? (
        <p class="muted">No webhooks.</p>
      ) : (
        <Table label="Webhooks">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((w) => (
              <tr key={w.id}>
                <td>
                  <code>{w.url}</code>
                </td>
                <td>{w.events.join(", ")}</td>
                <td>{formatTime(w.created_at)}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete webhook ${w.url}`}
                    onClick={() =>
                      void act(async () => void (await request("DELETE", `/v1/webhooks/${w.id}`)))
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Section>
  );
}

export function KeysPage() {
  return (
    <>
      <h1>API keys &amp; webhooks</h1>
      <ApiKeys />
      <Webhooks />
    </>
  );
}
