/**
 * The wire contracts a bot runner answers, as the testing vendors document them
 * (spec/voice-livekit.md, "Ways into a room"). Kept here rather than in protocol/ so the folder
 * can be copied into a bot's own repository with nothing but zod.
 */
import { z } from "zod";

/** LiveKit room names and identities: printable, bounded (LiveKit itself allows 1–256 bytes). */
const name = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters");

/** An id the platform sends as a number (gateway) or a string (embedded suites); kept as text. */
const runId = z.union([z.string().min(1).max(128), z.number().int().nonnegative()]).transform(String);

const livekitUrl = z
  .string()
  .max(2048)
  .refine((s) => /^(wss?|https?):\/\/[^\s]+$/.test(s) && URL.canParse(s), {
    message: "must be a ws://, wss://, http:// or https:// URL",
  });

/** RubricHQ "you create rooms": `POST /api/create-and-join`. */
export const createAndJoinRequestSchema = z.object({
  rubric_run_id: runId,
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type CreateAndJoinRequest = z.infer<typeof createAndJoinRequestSchema>;

export const createAndJoinResponseSchema = z.object({
  room_name: z.string(),
  room_url: z.string(),
  /** The caller's join token (identity `rubric-test-caller`), not the bot's. */
  token: z.string(),
});
export type CreateAndJoinResponse = z.infer<typeof createAndJoinResponseSchema>;

/** RubricHQ "we create rooms": `POST /api/session` with the room and a token minted for the bot. */
export const sessionRequestSchema = z.object({
  room_name: name,
  bot_token: z.string().min(1).max(8192),
  livekit_url: livekitUrl,
});
export type SessionRequest = z.infer<typeof sessionRequestSchema>;

export const sessionResponseSchema = z.object({ status: z.literal("started"), room_name: z.string() });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

/**
 * Coval-style token endpoint: `{room_name, participant_name}` merged with the user's own
 * `token_request_payload` fields, which are kept (`extra`) and handed to the bot options hook.
 */
export const tokenRequestSchema = z
  .object({ room_name: name, participant_name: name })
  .catchall(z.unknown())
  .transform(({ room_name, participant_name, ...extra }) => ({ room_name, participant_name, extra }));
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

/** Every token field name Coval accepts, and the two spellings of the others. */
export const TOKEN_FIELDS = [
  "token",
  "participantToken",
  "accessToken",
  "participant_token",
  "access_token",
] as const;
export type TokenField = (typeof TOKEN_FIELDS)[number];
export type ServerUrlField = "serverUrl" | "server_url";
export type RoomNameField = "roomName" | "room_name";

/**
 * How the token endpoint names its answer's fields; `null` leaves a field out. The default is
 * Coval's documented example, `{"token", "serverUrl", "room_name"}`; the others exist so a
 * platform's normalization of every accepted spelling can be tested against a real endpoint.
 */
export interface TokenResponseShape {
  tokenField: TokenField;
  serverUrlField: ServerUrlField | null;
  roomNameField: RoomNameField | null;
}
export const COVAL_TOKEN_RESPONSE: TokenResponseShape = {
  tokenField: "token",
  serverUrlField: "serverUrl",
  roomNameField: "room_name",
};

export function tokenResponseOf(
  shape: TokenResponseShape,
  values: { token: string; serverUrl: string; roomName: string },
): Record<string, string> {
  const body: Record<string, string> = { [shape.tokenField]: values.token };
  if (shape.serverUrlField) body[shape.serverUrlField] = values.serverUrl;
  if (shape.roomNameField) body[shape.roomNameField] = values.roomName;
  return body;
}

/** The two fields the runner reads from a dispatch's (or request's) metadata, each on its own. */
export const metadataRunIdSchema = runId;
export const metadataTextModeSchema = z.union([
  z.boolean(),
  z.enum(["true", "false"]).transform((s) => s === "true"),
]);

/** Renders a zod failure as one sentence naming each field, the rule and the fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join(".") : "body";
      return `${field}: ${issue.message}`;
    })
    .join("; ");
}
