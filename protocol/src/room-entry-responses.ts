/**
 * What the endpoints a voice run calls on the way into a room answer (spec/voice-livekit.md §
 * Ways into a room): a bot runner (`client`), a session endpoint (`rubric` + endpoint) and a
 * token endpoint (`token_endpoint`, Coval-style, whose field names vary by framework). Each
 * decoder names the missing or wrong field, so a run's failure says what to fix.
 */
import { z } from "zod";

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

const jsonObject = z.record(z.string(), z.unknown());

/** The fields a token endpoint may name its token with, in the order they are tried. */
export const TOKEN_FIELDS = [
  "token",
  "participantToken",
  "accessToken",
  "participant_token",
  "access_token",
] as const;
/** …its server URL (overrides the configured `livekit_url`). */
export const SERVER_URL_FIELDS = ["serverUrl", "server_url"] as const;
/** …and the room it granted (must be the requested one when present). */
export const ROOM_NAME_FIELDS = ["roomName", "room_name"] as const;

/** The message a token endpoint's answer without a token fails with (`token_missing`). */
export const TOKEN_MISSING_MESSAGE = "No token found in response";

export interface TokenResponseFields {
  /** The first non-empty string among TOKEN_FIELDS; undefined = `token_missing`. */
  token: string | undefined;
  serverUrl: string | undefined;
  roomName: string | undefined;
}

function firstString(body: Record<string, unknown>, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const value = body[field];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/**
 * The token, server URL and room of a token endpoint's answer, whichever spelling it used.
 * Not an object → a problem naming what was expected.
 */
export function tokenResponseFields(body: unknown): Decoded<TokenResponseFields> {
  const parsed = jsonObject.safeParse(body);
  if (!parsed.success) return { ok: false, problem: "the response is not a JSON object" };
  return {
    ok: true,
    value: {
      token: firstString(parsed.data, TOKEN_FIELDS),
      serverUrl: firstString(parsed.data, SERVER_URL_FIELDS),
      roomName: firstString(parsed.data, ROOM_NAME_FIELDS),
    },
  };
}

const nonEmpty = z.string().min(1);

/** A bot runner's answer (`client` mode): where to join. */
export const botRunnerResponseSchema = z.object({
  room_name: nonEmpty,
  room_url: nonEmpty,
  token: nonEmpty,
});
export type BotRunnerResponse = z.infer<typeof botRunnerResponseSchema>;

/** A session endpoint's answer (`rubric` + `web_call_url`). */
export const sessionStartResponseSchema = z.object({
  status: z.literal("started"),
  room_name: nonEmpty,
});
export type SessionStartResponse = z.infer<typeof sessionStartResponseSchema>;

/** Decodes `body` with `schema`; the problem names each wrong field and what it must be. */
export function decodeFields<T>(schema: z.ZodType<T>, body: unknown): Decoded<T> {
  if (!jsonObject.safeParse(body).success) return { ok: false, problem: "the response is not a JSON object" };
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.join(".");
    const value = (body as Record<string, unknown>)[String(issue.path[0])];
    if (value === undefined) return `field "${field}" is missing`;
    if (issue.code === "invalid_value") {
      return `field "${field}" is ${JSON.stringify(value).slice(0, 80)}, expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    }
    return `field "${field}" must be a non-empty string`;
  });
  return { ok: false, problem: problems.join("; ") };
}
