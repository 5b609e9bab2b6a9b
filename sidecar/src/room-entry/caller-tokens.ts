/**
 * Tokens the platform mints for rooms it created (`rubric` modes) and for manual suites that
 * give an API key instead of a token: one identity, one room, join + publish + subscribe.
 */
import { AccessToken } from "livekit-server-sdk";

/** The simulated caller's identity wherever the platform mints its token. */
export const CALLER_IDENTITY = "rubric-test-caller";
/** The bot's identity in `bot_token` (RubricHQ's session contract). */
export const BOT_IDENTITY = "pipecat-bot";

export function mintRoomToken(
  credentials: { api_key: string; api_secret: string },
  identity: string,
  room: string,
  ttlS: number,
): Promise<string> {
  const at = new AccessToken(credentials.api_key, credentials.api_secret, { identity, ttl: ttlS });
  at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, canPublishData: true });
  return at.toJwt();
}
