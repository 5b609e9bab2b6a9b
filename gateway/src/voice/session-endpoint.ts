/**
 * A bot's session endpoint (RubricHQ's rubric mode): `POST {web_call_url}/api/session` with
 * `{"room_name", "bot_token", "livekit_url"}`; the bot answers `{"status": "started",
 * "room_name"}` once it is joining. The URL passes the outbound policy first; a redirect is
 * never followed (its target was not checked).
 */
import { redactUrls, type SessionEndpointRequest, sessionEndpointAnswerSchema } from "@spar/protocol";

export type SessionEndpointResult = { ok: true } | { ok: false; message: string };

export interface SessionEndpointCall {
  webCallUrl: string;
  body: SessionEndpointRequest;
}

/** The port: calls a bot's session endpoint and says whether it started. */
export type SessionEndpointCaller = (call: SessionEndpointCall) => Promise<SessionEndpointResult>;

/** The spec's limit for a bot runner / session endpoint to answer. */
export const SESSION_ENDPOINT_TIMEOUT_MS = 30_000;
const QUOTE_BYTES = 500;

export function sessionEndpointUrl(webCallUrl: string): string {
  return `${webCallUrl.replace(/\/+$/, "")}/api/session`;
}

export function httpSessionEndpointCaller(o: {
  fetch: typeof fetch;
  checkUrl: (url: string) => Promise<string | undefined>;
  timeoutMs?: number;
}): SessionEndpointCaller {
  const timeoutMs = o.timeoutMs ?? SESSION_ENDPOINT_TIMEOUT_MS;
  return async ({ webCallUrl, body }) => {
    const url = sessionEndpointUrl(webCallUrl);
    const refused = await o.checkUrl(url);
    if (refused !== undefined) {
      return { ok: false, message: `the outbound policy refused the session endpoint: ${refused}` };
    }
    let response: Response;
    try {
      response = await o.fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const detail = timedOut
        ? `no answer within ${timeoutMs / 1000} s`
        : error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      return { ok: false, message: `the session endpoint could not be called: ${redactUrls(detail)}` };
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      return {
        ok: false,
        message: `the session endpoint answered HTTP ${response.status}: ${text.slice(0, QUOTE_BYTES)}`,
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        ok: false,
        message: `the session endpoint answered with no JSON: ${text.slice(0, QUOTE_BYTES)}`,
      };
    }
    const answer = sessionEndpointAnswerSchema.safeParse(json);
    if (!answer.success) {
      return {
        ok: false,
        message: `the session endpoint must answer {"status": "started", "room_name"}; it answered ${text.slice(0, QUOTE_BYTES)}`,
      };
    }
    if (answer.data.room_name !== body.room_name) {
      return {
        ok: false,
        message: `the session endpoint started room ${JSON.stringify(answer.data.room_name)}, not ${JSON.stringify(body.room_name)}`,
      };
    }
    return { ok: true };
  };
}
