/**
 * The LiveKit Server API calls the "we create rooms" modes make (CreateRoom, CreateDispatch,
 * DeleteRoom) over Twirp JSON with the project's API key: a small client of our own rather than
 * livekit-server-sdk's, because the SDK cannot send `room_preset` and would not go through the
 * injected fetch (outbound policy, bounded reads). Tokens for the API are minted per call.
 */
import { AccessToken, type VideoGrant } from "livekit-server-sdk";
import { readUpTo } from "./endpoint-call.ts";

export interface LivekitApiCredentials {
  livekit_url: string;
  api_key: string;
  api_secret: string;
}

export interface LiveKitAdmin {
  /** `options` are the connection's snake_case room options (voiceConnectionFor's roomOptionsOf). */
  createRoom(name: string, options: Record<string, unknown>): Promise<void>;
  createDispatch(room: string, agentName: string, metadata: string): Promise<void>;
  deleteRoom(name: string): Promise<void>;
}

/** A refusal or failure of the Server API; the message is LiveKit's answer, never a credential. */
export class LiveKitApiError extends Error {}

/** CreateRoom's JSON names (protobuf JSON) of the forwarded room options. */
const ROOM_OPTION_JSON_NAMES: Record<string, string> = {
  empty_timeout: "emptyTimeout",
  departure_timeout: "departureTimeout",
  max_participants: "maxParticipants",
  metadata: "metadata",
  min_playout_delay: "minPlayoutDelay",
  max_playout_delay: "maxPlayoutDelay",
  sync_streams: "syncStreams",
  room_preset: "roomPreset",
};

const MAX_API_ANSWER_BYTES = 64 * 1024;

/** The Twirp base of a LiveKit URL: `ws(s)://` → `http(s)://`, no trailing slash. */
export function apiBaseOf(livekitUrl: string): string {
  return livekitUrl.replace(/^ws(s?):\/\//i, "http$1://").replace(/\/+$/, "");
}

export function twirpLiveKitAdmin(
  credentials: LivekitApiCredentials,
  deps: { fetch: typeof fetch; timeoutMs: number; signal?: AbortSignal | undefined },
): LiveKitAdmin {
  const base = apiBaseOf(credentials.livekit_url);
  async function call(service: string, method: string, body: unknown, grant: VideoGrant): Promise<void> {
    const at = new AccessToken(credentials.api_key, credentials.api_secret, { ttl: 60 });
    at.addGrant(grant);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deps.timeoutMs);
    try {
      const res = await deps.fetch(`${base}/twirp/livekit.${service}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await at.toJwt()}` },
        body: JSON.stringify(body),
        signal: deps.signal ? AbortSignal.any([controller.signal, deps.signal]) : controller.signal,
        redirect: "manual",
      });
      const answer = new TextDecoder().decode((await readUpTo(res, MAX_API_ANSWER_BYTES)).bytes);
      if (!res.ok)
        throw new LiveKitApiError(`${method}: LiveKit answered HTTP ${res.status} ${twirpMessage(answer)}`);
    } catch (cause) {
      if (cause instanceof LiveKitApiError) throw cause;
      if (deps.signal?.aborted) throw new LiveKitApiError(`${method}: not awaited, the run was stopped`);
      if (controller.signal.aborted) {
        throw new LiveKitApiError(`${method}: LiveKit did not answer within ${deps.timeoutMs / 1000} s`);
      }
      const inner = cause instanceof Error ? (cause.cause as { code?: unknown } | undefined) : undefined;
      const code =
        typeof inner?.code === "string" ? inner.code : cause instanceof Error ? cause.message : String(cause);
      throw new LiveKitApiError(`${method}: LiveKit could not be reached (${code})`);
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    async createRoom(name, options) {
      const body: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(options)) {
        const jsonName = ROOM_OPTION_JSON_NAMES[key];
        if (jsonName) body[jsonName] = value;
      }
      // The platform's room name always wins over anything in the options.
      body.name = name;
      await call("RoomService", "CreateRoom", body, { roomCreate: true });
    },
    async createDispatch(room, agentName, metadata) {
      await call(
        "AgentDispatchService",
        "CreateDispatch",
        { room, agentName, metadata },
        { roomAdmin: true, room },
      );
    },
    async deleteRoom(name) {
      await call("RoomService", "DeleteRoom", { room: name }, { roomCreate: true });
    },
  };
}

/** `{code, msg}` of a Twirp error as `(code: msg)`, else the body's start. */
function twirpMessage(answer: string): string {
  try {
    const parsed: unknown = JSON.parse(answer);
    if (parsed && typeof parsed === "object") {
      const { code, msg } = parsed as { code?: unknown; msg?: unknown };
      if (typeof code === "string") return `(${code}${typeof msg === "string" ? `: ${msg}` : ""})`;
    }
  } catch {
    // not JSON: quoted as text below
  }
  return answer ? `(${answer.slice(0, 500)})` : "";
}
