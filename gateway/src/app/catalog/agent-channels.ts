/**
 * An agent's channels at rest: the text secret sealed in its own column; the LiveKit channel's
 * secrets (`api_secret`, `token`) sealed together as one JSON object, and the clear part stored
 * with `api_secret_configured` / `token_configured` flags in their place, so a read answers
 * without opening anything. `openAgentChannels` puts them back together for a run.
 */
import {
  type AgentLivekit,
  type AgentVoice,
  agentVoiceSchema,
  LIVEKIT_SECRET_FIELDS,
  type LivekitSecretField,
  type TextChannel,
  type VoiceLimitSettings,
  voiceLimitsOf,
} from "@spar/protocol";
import { z } from "zod";
import type { AgentRecord } from "../../db/repositories/agents.ts";
import type { JsonObject, StoredTextChannel } from "../../db/schema.ts";
import { openField, sealField } from "../../db/sealed-fields.ts";
import type { SealedSecret } from "../../db/sealed-secret.ts";
import type { SecretBox } from "../../security/secret-box.ts";

export type VoiceSecrets = Partial<Record<LivekitSecretField, string>>;

/** Which secrets each LiveKit mode has. */
export const LIVEKIT_SECRETS_OF_MODE: Record<AgentLivekit["mode"], readonly LivekitSecretField[]> = {
  manual: ["api_secret", "token"],
  client: [],
  rubric: ["api_secret"],
  token_endpoint: [],
};

const flagOf = (field: LivekitSecretField) => `${field}_configured`;

/** A voice channel whose secret fields are already removed (or never given). */
export interface ClearVoice extends VoiceLimitSettings {
  livekit: Record<string, unknown> & { mode: AgentLivekit["mode"] };
  agent_identity?: string | undefined;
  chat?: boolean | undefined;
}

/** The voice channel as stored: the clear fields plus a `*_configured` flag per secret of its mode. */
export function storedVoice(voice: ClearVoice, secrets: VoiceSecrets): JsonObject {
  const livekit: Record<string, unknown> = { ...voice.livekit };
  for (const field of LIVEKIT_SECRETS_OF_MODE[voice.livekit.mode]) {
    livekit[flagOf(field)] = secrets[field] !== undefined;
  }
  const stored: JsonObject = { livekit };
  if (voice.agent_identity !== undefined) stored.agent_identity = voice.agent_identity;
  if (voice.chat !== undefined) stored.chat = voice.chat;
  return { ...stored, ...voiceLimitsOf(voice) };
}

/** Removes the secret fields of a LiveKit channel as sent, returning both parts. */
export function splitLivekitSecrets<T extends Record<string, unknown>>(
  livekit: T,
): { clear: Omit<T, LivekitSecretField>; sent: Partial<Record<LivekitSecretField, string | null>> } {
  const clear: Record<string, unknown> = { ...livekit };
  const sent: Partial<Record<LivekitSecretField, string | null>> = {};
  for (const field of LIVEKIT_SECRET_FIELDS) {
    const value = clear[field];
    delete clear[field];
    if (typeof value === "string" || value === null) sent[field] = value;
  }
  return { clear: clear as Omit<T, LivekitSecretField>, sent };
}

/** Null when there is nothing to seal, so an agent without voice secrets stores none. */
export async function sealVoiceSecrets(
  box: SecretBox,
  workspaceId: number,
  secrets: VoiceSecrets,
): Promise<SealedSecret | null> {
  if (Object.keys(secrets).length === 0) return null;
  return sealField(box, workspaceId, "agent.voice.livekit", JSON.stringify(secrets));
}

const voiceSecretsSchema = z.strictObject({
  api_secret: z.string().optional(),
  token: z.string().optional(),
});

export async function openVoiceSecrets(
  box: SecretBox,
  workspaceId: number,
  sealed: SealedSecret | null,
): Promise<VoiceSecrets> {
  if (sealed === null) return {};
  const parsed = voiceSecretsSchema.parse(
    JSON.parse(await openField(box, workspaceId, "agent.voice.livekit", sealed)),
  );
  const out: VoiceSecrets = {};
  for (const field of LIVEKIT_SECRET_FIELDS) if (parsed[field] !== undefined) out[field] = parsed[field];
  return out;
}

export interface OpenedChannels {
  /** The text channel with its secret; `secret` is absent when it was cleared. */
  text: (StoredTextChannel & { secret?: TextChannel["secret"] }) | null;
  voice: AgentVoice | null;
}

/** The agent's channels in the suite file's shapes, secrets opened: what a run connects with. */
export async function openAgentChannels(box: SecretBox, agent: AgentRecord): Promise<OpenedChannels> {
  let text: OpenedChannels["text"] = null;
  if (agent.text !== null) {
    text = { ...agent.text };
    if (agent.textSecret !== null) {
      text.secret = await openField(box, agent.workspaceId, "agent.text.secret", agent.textSecret);
    }
  }
  let voice: AgentVoice | null = null;
  if (agent.voice !== null) {
    const livekit = { ...(agent.voice.livekit as Record<string, unknown>) };
    for (const field of LIVEKIT_SECRET_FIELDS) delete livekit[flagOf(field)];
    Object.assign(livekit, await openVoiceSecrets(box, agent.workspaceId, agent.voiceApiSecret));
    voice = agentVoiceSchema.parse({ ...agent.voice, livekit });
  }
  return { text, voice };
}
