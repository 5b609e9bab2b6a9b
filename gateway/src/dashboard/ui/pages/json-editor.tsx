/**
 * Create or edit an object as JSON, the API's own shape: what the API would refuse it refuses with
 * its message naming the field. Secrets are write-only: the editor never holds one it read.
 */
import { useState } from "preact/hooks";
import type { z } from "zod";
import { sendJson } from "../api.ts";
import { ErrorNote } from "../components.tsx";

export function JsonEditor<T>(props: {
  label: string;
  initial: unknown;
  method: "POST" | "PATCH";
  path: string;
  schema: z.ZodType<T>;
  help: string;
  onSaved: (saved: T) => void;
}) {
  const [text, setText] = useState(JSON.stringify(props.initial, null, 2));
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      setError(new Error(`The JSON does not parse: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    setBusy(true);
    try {
      const result = await sendJson(props.method, props.path, body, props.schema);
      setError(null);
      setSaved(true);
      props.onSaved(result);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  }

  const id = `editor-${props.label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <form class="editor" onSubmit={save}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        rows={Math.min(30, Math.max(8, text.split("\n").length + 1))}
        spellcheck={false}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        aria-describedby={`${id}-help`}
      />
      <p id={`${id}-help`} class="muted">
        {props.help}
      </p>
      <ErrorNote error={error} />
      {saved && (
        <p class="ok" role="status">
          Saved.
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : props.method === "POST" ? "Create" : "Save changes"}
      </button>
    </form>
  );
}

/** The object without read-only fields, null fields and `*_configured` flags: what a PATCH may send back. */
export function editableOf(value: unknown, readOnly: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => editableOf(v, []));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (readOnly.includes(k) || k.endsWith("_configured") || v === null) continue;
    out[k] = editableOf(v, []);
  }
  return out;
}

/** Every `*_configured` flag in an object, as `path: configured | not set`. */
export function secretsOf(value: unknown, path = ""): { path: string; configured: boolean }[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = path === "" ? k : `${path}.${k}`;
    if (k.endsWith("_configured") && typeof v === "boolean") {
      return [{ path: here.replace(/_configured$/, ""), configured: v }];
    }
    return secretsOf(v, here);
  });
}

export function Secrets({ of }: { of: unknown }) {
  const secrets = secretsOf(of);
  if (secrets.length === 0) return null;
  return (
    <ul class="secrets" aria-label="Secrets">
      {secrets.map((s) => (
        <li key={s.path}>
          <code>{s.path}</code>:{" "}
          {s.configured ? <strong>configured</strong> : <span class="muted">not set</span>}
        </li>
      ))}
    </ul>
  );
}
