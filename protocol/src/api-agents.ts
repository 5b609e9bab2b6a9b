/**
 * The gateway's agent and API-key objects (docs/api.md): what clients send and what they get
 * back. The channel fields are the suite file's; secrets are write-only — a response says
 * `secret_configured`, never the value; a PATCH that omits a secret keeps it and `null` clears it.
 */
import { z } from "zod";
import {
  idSchema,
  livekitChannelSchema,
  livekitModeError,
  rubricEntryCheck,
  textChannelSchema,
} from "./suite.ts";
import { voiceLimitFields } from "./voice-limits.ts";

const nameSchema = z.string().trim().min(1).max(256);
const objectId = z.number().int().positive();

export const apiKeyCreateSchema = z.strictObject({ name: z.string().trim().min(1).max(128) });

export const apiKeySchema = z.object({
  id: objectId,
  name: z.string(),
  /** The key's public start: the key as shown once begins with it. */
  prefix: z.string(),
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** `POST /v1/api-keys` answers with the key, this once. */
export const createdApiKeySchema = apiKeySchema
  .pick({ id: true, name: true, prefix: true, created_at: true })
  .extend({ key: z.string() });

const [manualMode, clientMode, rubricMode, tokenEndpointMode] = livekitChannelSchema.options;
const agentIdentity = z.string().min(1).max(256).optional();

/**
 * An agent's LiveKit channel: the suite file's, except that a `rubric` agent may leave out its
 * credentials (`url`, `api_key`, `api_secret`) to use the workspace's LiveKit settings
 * (spec/voice-livekit.md § Credentials: per-agent override, then workspace default).
 */
export const agentLivekitSchema = z.discriminatedUnion(
  "mode",
  [
    manualMode,
    clientMode,
    rubricMode.extend({
      url: rubricMode.shape.url.optional(),
      api_key: rubricMode.shape.api_key.optional(),
      api_secret: rubricMode.shape.api_secret.optional(),
    }),
    tokenEndpointMode,
  ],
  { error: livekitModeError },
);
export type AgentLivekit = z.infer<typeof agentLivekitSchema>;

export const agentVoiceSchema = z
  .strictObject({
    livekit: agentLivekitSchema,
    agent_identity: agentIdentity,
    ...voiceLimitFields,
    /** Chat over LiveKit text streams instead of audio (suite file `agent.voice.chat`). */
    chat: z.boolean().optional(),
  })
  .superRefine(rubricEntryCheck);
export type AgentVoice = z.infer<typeof agentVoiceSchema>;

/** The secrets a LiveKit channel may hold: sealed at rest, never answered. */
export const LIVEKIT_SECRET_FIELDS = ["api_secret", "token"] as const;
export type LivekitSecretField = (typeof LIVEKIT_SECRET_FIELDS)[number];

/** A PATCH replaces the voice channel whole, but an omitted secret keeps its value and `null` clears it. */
const agentLivekitPatchSchema = z.discriminatedUnion(
  "mode",
  [
    manualMode.extend({
      token: manualMode.shape.token.unwrap().nullable().optional(),
      api_secret: manualMode.shape.api_secret.unwrap().nullable().optional(),
    }),
    clientMode,
    rubricMode.extend({
      url: rubricMode.shape.url.optional(),
      api_key: rubricMode.shape.api_key.optional(),
      api_secret: rubricMode.shape.api_secret.nullable().optional(),
    }),
    tokenEndpointMode,
  ],
  { error: livekitModeError },
);
export const agentVoicePatchSchema = z
  .strictObject({
    livekit: agentLivekitPatchSchema,
    agent_identity: agentIdentity,
    ...voiceLimitFields,
    chat: z.boolean().optional(),
  })
  .superRefine(rubricEntryCheck);
export type AgentVoicePatch = z.infer<typeof agentVoicePatchSchema>;

export const agentCreateSchema = z
  .strictObject({
    name: nameSchema,
    /** A slug, unique in the workspace: suites-as-code upsert the agent by it. */
    key: idSchema.optional(),
    text: textChannelSchema.optional(),
    voice: agentVoiceSchema.optional(),
    metric_ids: z.array(objectId).max(100).optional(),
  })
  .refine((agent) => agent.text !== undefined || agent.voice !== undefined, {
    message: "an agent needs a channel: give text, voice or both",
  });
export type AgentCreate = z.infer<typeof agentCreateSchema>;

/**
 * Every text field may change and an omitted one keeps its value — so no defaults here (a
 * default would reset it); `secret` omitted keeps it, `null` clears it.
 */
const text = textChannelSchema.shape;
const textPatchSchema = z.strictObject({
  url: text.url.optional(),
  secret: text.secret.nullable().optional(),
  per_turn_timeout_s: text.per_turn_timeout_s.unwrap().optional(),
  max_duration_s: text.max_duration_s.unwrap().optional(),
  first_speaker: text.first_speaker.unwrap().optional(),
  settle_ms: text.settle_ms.unwrap().optional(),
});

export const agentPatchSchema = z.strictObject({
  name: nameSchema.optional(),
  key: idSchema.nullable().optional(),
  /** `null` removes the channel. */
  text: textPatchSchema.nullable().optional(),
  /** Replaced whole (secrets aside: omitted keeps, `null` clears); `null` removes the channel. */
  voice: agentVoicePatchSchema.nullable().optional(),
  metric_ids: z.array(objectId).max(100).optional(),
});
export type AgentPatch = z.infer<typeof agentPatchSchema>;

/** The text channel as answered: everything but the secret, which is only said to be there. */
export const textChannelViewSchema = textChannelSchema.omit({ secret: true }).extend({
  secret_configured: z.boolean(),
});

const configured = z.boolean();
/** The LiveKit channel as answered: each secret of its mode replaced by `<field>_configured`. */
export const agentLivekitViewSchema = z.discriminatedUnion("mode", [
  manualMode.omit({ token: true, api_secret: true }).extend({
    api_secret_configured: configured,
    token_configured: configured,
  }),
  clientMode,
  rubricMode.omit({ api_secret: true }).extend({
    url: rubricMode.shape.url.optional(),
    api_key: rubricMode.shape.api_key.optional(),
    api_secret_configured: configured,
  }),
  tokenEndpointMode,
]);

/** An agent as every agent route answers it. */
export const agentViewSchema = z.strictObject({
  id: objectId,
  key: z.string().nullable(),
  name: z.string(),
  text: textChannelViewSchema.nullable(),
  voice: z
    .strictObject({
      livekit: agentLivekitViewSchema,
      agent_identity: agentIdentity,
      ...voiceLimitFields,
      chat: z.boolean().optional(),
    })
    .nullable(),
  metric_ids: z.array(objectId),
  /** `room_config` keys LiveKit is not sent (only the documented room options are). */
  ignored_room_config_keys: z.array(z.string()),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type AgentView = z.infer<typeof agentViewSchema>;
