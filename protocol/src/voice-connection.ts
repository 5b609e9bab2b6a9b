/**
 * From a configured LiveKit channel (a suite's `agent.voice.livekit`, or a stored agent's with its
 * secrets opened) to the job's `connection`: credentials resolved (per-agent → workspace →
 * `credentials_missing`), `rubric` split into its endpoint and dispatch forms, room options
 * narrowed to the forwarded keys with the spec's defaults (spec/voice-livekit.md). Pure: the
 * one thing it cannot do, minting a manual caller token from an API key, it hands back as `mint`.
 */
import { ROOM_CONFIG_KEYS } from "./room-config.ts";
import type { LivekitChannel } from "./suite.ts";
import type { VoiceConnection } from "./voice-job.ts";

/** A LiveKit project's URL and API key pair: what "we create rooms" modes need. */
export interface LivekitCredentials {
  url: string;
  api_key: string;
  api_secret: string;
}

/** A channel as configured; an agent's `rubric` channel may leave its credentials to the workspace. */
export type ConfiguredLivekit =
  | Exclude<LivekitChannel, { mode: "rubric" }>
  | (Omit<Extract<LivekitChannel, { mode: "rubric" }>, "url" | "api_key" | "api_secret"> & {
      url?: string | undefined;
      api_key?: string | undefined;
      api_secret?: string | undefined;
    });

export type VoiceConnectionPlan =
  | { ok: true; connection: VoiceConnection }
  /** Manual mode without a token: mint one for the caller in `room` (a fresh room when absent). */
  | { ok: true; mint: LivekitCredentials & { room?: string | undefined } }
  | { ok: false; reason: "credentials_missing"; message: string };

/** Defaults the spec sends to CreateRoom when the config omits them. */
export const ROOM_OPTION_DEFAULTS = { empty_timeout: 300, max_participants: 10 } as const;

/**
 * The CreateRoom options of a room config: forwarded keys only (others are ignored, as the API
 * reports), the two defaults filled in, an object `metadata` JSON-encoded.
 */
export function roomOptionsOf(config: Record<string, unknown> | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = { ...ROOM_OPTION_DEFAULTS };
  for (const key of ROOM_CONFIG_KEYS) {
    const value = config?.[key];
    if (value === undefined) continue;
    options[key] = key === "metadata" && typeof value === "object" ? JSON.stringify(value) : value;
  }
  return options;
}

function credentialsOf(
  livekit: { url?: string | undefined; api_key?: string | undefined; api_secret?: string | undefined },
  workspace: LivekitCredentials | undefined,
): LivekitCredentials | undefined {
  if (livekit.url && livekit.api_key && livekit.api_secret) {
    return { url: livekit.url, api_key: livekit.api_key, api_secret: livekit.api_secret };
  }
  return workspace;
}

export function voiceConnectionFor(
  livekit: ConfiguredLivekit,
  workspace?: LivekitCredentials,
): VoiceConnectionPlan {
  switch (livekit.mode) {
    case "manual": {
      if (livekit.token) {
        return {
          ok: true,
          connection: { mode: "manual", livekit_room_url: livekit.url, access_token: livekit.token },
        };
      }
      if (livekit.api_key && livekit.api_secret) {
        return {
          ok: true,
          mint: {
            url: livekit.url,
            api_key: livekit.api_key,
            api_secret: livekit.api_secret,
            room: livekit.room,
          },
        };
      }
      return {
        ok: false,
        reason: "credentials_missing",
        message: "agent.voice.livekit (manual) needs token, or api_key and api_secret to mint one",
      };
    }
    case "client":
      return { ok: true, connection: { mode: "client", bot_runner_url: livekit.bot_runner_url } };
    case "rubric": {
      const credentials = credentialsOf(livekit, workspace);
      if (!credentials) {
        return {
          ok: false,
          reason: "credentials_missing",
          message:
            "agent.voice.livekit (rubric) has no LiveKit credentials: give url, api_key and api_secret on the agent, or set the workspace's (PUT /v1/settings/livekit)",
        };
      }
      const common = {
        livekit_url: credentials.url,
        api_key: credentials.api_key,
        api_secret: credentials.api_secret,
        room_options: roomOptionsOf(livekit.room_config),
      };
      return livekit.web_call_url !== undefined
        ? { ok: true, connection: { mode: "rubric_endpoint", web_call_url: livekit.web_call_url, ...common } }
        : {
            ok: true,
            connection: { mode: "rubric_dispatch", agent_name: livekit.agent_name ?? "", ...common },
          };
    }
    case "token_endpoint":
      return {
        ok: true,
        connection: {
          mode: "token_endpoint",
          generate_token_endpoint: livekit.generate_token_endpoint,
          ...(livekit.token_request_payload ? { token_request_payload: livekit.token_request_payload } : {}),
          ...(livekit.generate_token_headers
            ? { generate_token_headers: livekit.generate_token_headers }
            : {}),
          ...(livekit.url ? { livekit_url: livekit.url } : {}),
        },
      };
  }
}
