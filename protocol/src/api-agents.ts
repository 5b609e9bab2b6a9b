/**
 * The gateway's agent and API-key objects (docs/api.md): what clients send and what they get
 * back. The channel fields are the suite file's; secrets are write-only — a response says
 * `secret_configured`, never the value; a PATCH that omits a secret keeps it and `null` clears it.
 */
import { z } from "zod";
import { idSchema, textChannelSchema, voiceChannelSchema } from "./suite.ts";

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

export const agentCreateSchema = z
  .strictObject({
    name: nameSchema,
    /** A slug, unique in the workspace: suites-as-code upsert the agent by it. */
    key: idSchema.optional(),
    text: textChannelSchema.optional(),
    voice: voiceChannelSchema.optional(),
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
  /** Replaced whole; `null` removes the channel. */
  voice: voiceChannelSchema.nullable().optional(),
  metric_ids: z.array(objectId).max(100).optional(),
});
export type AgentPatch = z.infer<typeof agentPatchSchema>;

/** The text channel as answered: everything but the secret, which is only said to be there. */
export const textChannelViewSchema = textChannelSchema.omit({ secret: true }).extend({
  secret_configured: z.boolean(),
});
