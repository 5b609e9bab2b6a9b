/** Sign in with an API key: checked against the API, then kept in this tab's session only. */
import { useState } from "preact/hooks";
import { ApiError, getJson } from "../api.ts";
import { apiKeyListSchema } from "../schemas.ts";

export function SignIn({ refused, onSignedIn }: { refused: boolean; onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(
    refused ? "The gateway refused the key; sign in again." : null,
  );
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const candidate = key.trim();
    if (candidate === "") {
      setError(
        "Enter an API key (spar serve prints one at its first start and writes it to <data>/api-key).",
      );
      return;
    }
    setBusy(true);
    try {
      await getJson("/v1/api-keys", apiKeyListSchema, candidate);
      onSignedIn(candidate);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? "That key was refused: it is unknown or revoked."
          : `Could not check the key: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Spar</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby="api-key-help"
          aria-invalid={error !== null}
        />
        <p id="api-key-help" class="muted">
          Kept in this browser tab's session only; closing the tab forgets it.
        </p>
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
