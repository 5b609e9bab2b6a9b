/**
 * Workspace settings (docs/api.md § Settings): the LiveKit credentials `rubric` agents fall
 * back to, and the LLM personas and judges use. A PUT replaces the object; its secret is
 * write-only — omitted keeps the stored one, `null` clears it — and answered as `*_configured`.
 */
import { z } from "zod";

const url = z.string().min(1).max(2048);

export const livekitSettingsPutSchema = z.strictObject({
  url: url.nullable(),
  api_key: z.string().min(1).max(256).nullable(),
  api_secret: z.string().min(1).max(4096).nullable().optional(),
});
export type LivekitSettingsPut = z.infer<typeof livekitSettingsPutSchema>;

export const livekitSettingsViewSchema = z.strictObject({
  url: z.string().nullable(),
  api_key: z.string().nullable(),
  api_secret_configured: z.boolean(),
  updated_at: z.iso.datetime().nullable(),
});
export type LivekitSettingsView = z.infer<typeof livekitSettingsViewSchema>;

export const llmSettingsPutSchema = z.strictObject({
  base_url: url.nullable(),
  model: z.string().min(1).max(256).nullable(),
  api_key: z.string().min(1).max(4096).nullable().optional(),
});
export type LlmSettingsPut = z.infer<typeof llmSettingsPutSchema>;

export const llmSettingsViewSchema = z.strictObject({
  base_url: z.string().nullable(),
  model: z.string().nullable(),
  api_key_configured: z.boolean(),
  updated_at: z.iso.datetime().nullable(),
});
export type LlmSettingsView = z.infer<typeof llmSettingsViewSchema>;
