/**
 * From an agent body (create, PATCH, or a suite's `agent`) to what storage takes: URLs checked
 * against the outbound policy, secrets sealed, and for a PATCH the body merged into the stored
 * agent — an omitted field keeps its value, `null` clears it, and the result is checked whole.
 */
import {
  type AgentCreate,
  type AgentLivekit,
  type AgentPatch as AgentPatchBody,
  type AgentVoicePatch,
  AppError,
  issueLines,
  textChannelSchema,
  voiceLimitsOf,
} from "@spar/protocol";
import type { z } from "zod";
import type { AgentInput, AgentPatch, AgentRecord } from "../../db/repositories/agents.ts";
import { sealField } from "../../db/sealed-fields.ts";
import type { OutboundPolicy } from "../../security/address-class.ts";
import type { SecretBox } from "../../security/secret-box.ts";
import { checkUrlsAtSave, type OutboundUrl } from "../saved-urls.ts";
import {
  type ClearVoice,
  LIVEKIT_SECRETS_OF_MODE,
  openVoiceSecrets,
  sealVoiceSecrets,
  splitLivekitSecrets,
  storedVoice,
  type VoiceSecrets,
} from "./agent-channels.ts";

export interface AgentWriteContext {
  box: SecretBox;
  workspaceId: number;
  policy: OutboundPolicy;
  /** Prefix of field paths in errors: `""` for the agent routes, `"agent."` for a suite. */
  at: string;
}

const textFieldsSchema = textChannelSchema.omit({ secret: true });

function bad(message: string): never {
  throw new AppError("bad_request", message);
}

function voiceUrls(livekit: Record<string, unknown>, at: string): OutboundUrl[] {
  const field = (name: string, scheme: OutboundUrl["scheme"]): OutboundUrl => ({
    field: `${at}voice.livekit.${name}`,
    url: typeof livekit[name] === "string" ? (livekit[name] as string) : undefined,
    scheme,
  });
  return [
    field("url", "wss"),
    field("bot_runner_url", "https"),
    field("web_call_url", "https"),
    field("generate_token_endpoint", "https"),
  ];
}

/** A `rubric` agent brings all of its credentials, or none (then the workspace's are used). */
function checkRubricCredentials(livekit: ClearVoice["livekit"], secrets: VoiceSecrets, at: string) {
  if (livekit.mode !== "rubric") return;
  const given = { url: livekit.url, api_key: livekit.api_key, api_secret: secrets.api_secret };
  const missing = Object.entries(given)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0 && missing.length < 3) {
    bad(
      `${at}voice.livekit: give url, api_key and api_secret together, or none of them to use the workspace's LiveKit settings (missing: ${missing.join(", ")})`,
    );
  }
}

/** Keeps only the secrets the mode has: a secret of another mode would never be used. */
function secretsOfMode(mode: AgentLivekit["mode"], secrets: VoiceSecrets): VoiceSecrets {
  const out: VoiceSecrets = {};
  for (const field of LIVEKIT_SECRETS_OF_MODE[mode])
    if (secrets[field] !== undefined) out[field] = secrets[field];
  return out;
}

async function voiceColumns(ctx: AgentWriteContext, clear: ClearVoice, secrets: VoiceSecrets) {
  const kept = secretsOfMode(clear.livekit.mode, secrets);
  checkRubricCredentials(clear.livekit, kept, ctx.at);
  return {
    voice: storedVoice(clear, kept),
    voiceApiSecret: await sealVoiceSecrets(ctx.box, ctx.workspaceId, kept),
  };
}

type AgentChannelsBody = Pick<AgentCreate, "text" | "voice">;

/** A new agent (or a suite's, whose channels replace the stored ones whole). */
export async function agentInput(
  body: AgentChannelsBody & { name: string; key?: string | undefined; metric_ids?: number[] | undefined },
  ctx: AgentWriteContext,
): Promise<AgentInput> {
  checkUrlsAtSave(ctx.policy, [
    { field: `${ctx.at}text.url`, url: body.text?.url, scheme: "wss" },
    ...(body.voice ? voiceUrls(body.voice.livekit, ctx.at) : []),
  ]);
  const input: AgentInput = {
    name: body.name,
    text: null,
    textSecret: null,
    voice: null,
    voiceApiSecret: null,
  };
  if (body.key !== undefined) input.key = body.key;
  if (body.metric_ids !== undefined) input.metricIds = body.metric_ids;
  if (body.text) {
    const { secret, ...fields } = body.text;
    input.text = fields;
    input.textSecret = await sealField(ctx.box, ctx.workspaceId, "agent.text.secret", secret);
  }
  if (body.voice) {
    const { clear, sent } = splitLivekitSecrets(body.voice.livekit);
    const secrets: VoiceSecrets = {};
    if (typeof sent.api_secret === "string") secrets.api_secret = sent.api_secret;
    if (typeof sent.token === "string") secrets.token = sent.token;
    Object.assign(
      input,
      await voiceColumns(
        ctx,
        {
          livekit: clear,
          agent_identity: body.voice.agent_identity,
          chat: body.voice.chat,
          ...voiceLimitsOf(body.voice),
        },
        secrets,
      ),
    );
  }
  return input;
}

function issuesAt(prefix: string, issues: readonly z.core.$ZodIssue[]): string {
  return issueLines(issues.map((issue) => ({ ...issue, path: [prefix, ...issue.path] }))).join("; ");
}

async function textPatch(
  body: NonNullable<AgentPatchBody["text"]>,
  stored: AgentRecord,
  ctx: AgentWriteContext,
) {
  const { secret, ...fields } = body;
  const merged = textFieldsSchema.safeParse({ ...(stored.text ?? {}), ...fields });
  if (!merged.success) bad(issuesAt("text", merged.error.issues));
  const patch: AgentPatch = { text: merged.data };
  if (stored.text === null && typeof secret !== "string") {
    bad("text.secret: is required (string) when the agent gets a text channel");
  }
  if (typeof secret === "string") {
    patch.textSecret = await sealField(ctx.box, ctx.workspaceId, "agent.text.secret", secret);
  } else if (secret === null) {
    patch.textSecret = null;
  }
  return patch;
}

async function voicePatch(body: AgentVoicePatch, stored: AgentRecord, ctx: AgentWriteContext) {
  const { clear, sent } = splitLivekitSecrets(body.livekit);
  const secrets = await openVoiceSecrets(ctx.box, ctx.workspaceId, stored.voiceApiSecret);
  for (const [field, value] of Object.entries(sent)) {
    const name = field as keyof VoiceSecrets;
    if (value === null) delete secrets[name];
    else secrets[name] = value;
  }
  return voiceColumns(
    ctx,
    { livekit: clear, agent_identity: body.agent_identity, chat: body.chat, ...voiceLimitsOf(body) },
    secrets,
  );
}

/** The stored agent changed by a PATCH body; throws 400 when the result is not a valid agent. */
export async function agentPatch(
  body: AgentPatchBody,
  stored: AgentRecord,
  ctx: AgentWriteContext,
): Promise<AgentPatch> {
  checkUrlsAtSave(ctx.policy, [
    { field: "text.url", url: body.text?.url, scheme: "wss" },
    ...(body.voice ? voiceUrls(body.voice.livekit, "") : []),
  ]);
  let patch: AgentPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.key !== undefined) patch.key = body.key;
  if (body.metric_ids !== undefined) patch.metricIds = body.metric_ids;
  if (body.text === null) patch = { ...patch, text: null, textSecret: null };
  else if (body.text !== undefined) patch = { ...patch, ...(await textPatch(body.text, stored, ctx)) };
  if (body.voice === null) patch = { ...patch, voice: null, voiceApiSecret: null };
  else if (body.voice !== undefined) patch = { ...patch, ...(await voicePatch(body.voice, stored, ctx)) };
  const text = patch.text === undefined ? stored.text : patch.text;
  const voice = patch.voice === undefined ? stored.voice : patch.voice;
  if (text === null && voice === null) bad("(root): an agent needs a channel: keep text, voice or both");
  return patch;
}
