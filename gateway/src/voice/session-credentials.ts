/**
 * The LiveKit project a session's room is made on: the agent's own credentials, else the
 * workspace's (PUT /v1/settings/livekit), else none (spec/voice-livekit.md § Credentials).
 */
import type { AgentVoice, LivekitCredentials } from "@spar/protocol";
import type { SparDatabase } from "../db/database.ts";
import { getSettings } from "../db/repositories/settings.ts";
import { openField } from "../db/sealed-fields.ts";
import type { SecretBox } from "../security/secret-box.ts";

export async function workspaceLivekitCredentials(
  db: SparDatabase,
  secrets: SecretBox,
  workspaceId: number,
): Promise<LivekitCredentials | undefined> {
  const { livekit } = await getSettings(db, workspaceId);
  if (livekit.url === null || livekit.apiKey === null || livekit.apiSecret === null) return undefined;
  const apiSecret = await openField(secrets, workspaceId, "settings.livekit.api_secret", livekit.apiSecret);
  return { url: livekit.url, api_key: livekit.apiKey, api_secret: apiSecret };
}

/** The agent's own credentials when its channel has all three, else undefined. */
export function agentLivekitCredentials(voice: AgentVoice | null): LivekitCredentials | undefined {
  const livekit = voice?.livekit;
  if (livekit?.mode !== "rubric") return undefined;
  if (!livekit.url || !livekit.api_key || !livekit.api_secret) return undefined;
  return { url: livekit.url, api_key: livekit.api_key, api_secret: livekit.api_secret };
}
