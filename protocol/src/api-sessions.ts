/**
 * Browser calls to an agent (spec/voice-livekit.md § Session API): `POST /v1/sessions/livekit`
 * and what the platform sends the agent's side while starting one. The route mirrors a vendor's
 * (seeds/create-livekit-session.txt), so fields it does not use are ignored, as on the other
 * vendor-compatible routes.
 */
import { z } from "zod";

/** An id as vendor clients send it: the integer, or its decimal string (`"5"`). */
const AGENT_ID_RULE = "must be an agent id: a positive integer, or its decimal string";
const agentIdSchema = z.union(
  [
    z.number({ error: AGENT_ID_RULE }).int({ error: AGENT_ID_RULE }).positive({ error: AGENT_ID_RULE }),
    z
      .string({ error: AGENT_ID_RULE })
      .regex(/^[1-9][0-9]{0,15}$/, { error: AGENT_ID_RULE })
      .transform(Number),
  ],
  { error: AGENT_ID_RULE },
);

export const livekitSessionCreateSchema = z.object({ agent_id: agentIdSchema });
export type LivekitSessionCreate = z.infer<typeof livekitSessionCreateSchema>;

/** The answer: what a browser needs to join the room (never an API key or secret). */
export const livekitSessionSchema = z.object({
  /** `agent_{agent_id}_{user_id}_{timestamp_ms}`. */
  room_name: z.string(),
  /** A participant JWT for `room_name` only: identity = the caller's user id, valid 1 hour. */
  token: z.string(),
  livekit_url: z.string(),
  /** The agent's display name. */
  agent_name: z.string(),
  /**
   * The run that records and measures this session (`GET /v1/runs/{run_id}`, its events and
   * `/recording`): the platform's sidecar joins the room as a silent observer. Null when nothing
   * can observe it here (no sidecar configured); the session goes ahead unrecorded.
   */
  run_id: z.number().int().positive().nullable(),
  /** Set when `run_id` is null: why the session is not recorded. */
  unobserved_reason: z.string().optional(),
});
export type LivekitSession = z.infer<typeof livekitSessionSchema>;

/** How long a session's participant token is valid, in seconds. */
export const SESSION_TOKEN_TTL_S = 3600;

/** The identity of the token minted for a bot whose session endpoint is called (RubricHQ's). */
export const SESSION_BOT_IDENTITY = "pipecat-bot";

/** `POST {web_call_url}/api/session` body (RubricHQ's rubric mode). */
export const sessionEndpointRequestSchema = z.object({
  room_name: z.string(),
  bot_token: z.string(),
  livekit_url: z.string(),
});
export type SessionEndpointRequest = z.infer<typeof sessionEndpointRequestSchema>;

/** What a session endpoint must answer: it started a bot for that room. */
export const sessionEndpointAnswerSchema = z.object({
  status: z.literal("started"),
  room_name: z.string(),
});

/** The dispatch metadata of an agent dispatched into a session's room (JSON-encoded). */
export const sessionDispatchMetadataSchema = z.object({
  spar_session: z.object({
    room_name: z.string(),
    agent_id: z.number().int().positive(),
    user_id: z.number().int().positive(),
  }),
});
export type SessionDispatchMetadata = z.infer<typeof sessionDispatchMetadataSchema>;
