/** A workspace's LiveKit and LLM defaults; their secrets are stored sealed. */
import { eq } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { workspaceSettings } from "../schema.ts";
import { type SealedSecret, sealedFrom } from "../sealed-secret.ts";

export interface LivekitSettings {
  url: string | null;
  apiKey: string | null;
  apiSecret: SealedSecret | null;
}

export interface LlmSettings {
  baseUrl: string | null;
  model: string | null;
  apiKey: SealedSecret | null;
}

export interface WorkspaceSettingsRecord {
  livekit: LivekitSettings;
  llm: LlmSettings;
  /** Null when nothing was ever saved. */
  updatedAtMs: number | null;
}

/** A PUT: the given fields replace the stored ones; an omitted secret keeps its value, `null` clears it. */
export type LivekitSettingsInput = Omit<LivekitSettings, "apiSecret"> & { apiSecret?: SealedSecret | null };
export type LlmSettingsInput = Omit<LlmSettings, "apiKey"> & { apiKey?: SealedSecret | null };

type SettingsColumns = Partial<typeof workspaceSettings.$inferInsert>;

/** Always answers: a workspace that saved nothing has all-null settings. */
export async function getSettings(db: SparDatabase, workspaceId: number): Promise<WorkspaceSettingsRecord> {
  const [row] = await db
    .select()
    .from(workspaceSettings)
    .where(eq(workspaceSettings.workspaceId, workspaceId));
  return {
    livekit: {
      url: row?.livekitUrl ?? null,
      apiKey: row?.livekitApiKey ?? null,
      apiSecret: sealedFrom(row?.livekitApiSecretCiphertext ?? null, row?.livekitApiSecretKeyId ?? null),
    },
    llm: {
      baseUrl: row?.llmBaseUrl ?? null,
      model: row?.llmModel ?? null,
      apiKey: sealedFrom(row?.llmApiKeyCiphertext ?? null, row?.llmApiKeyKeyId ?? null),
    },
    updatedAtMs: row?.updatedAtMs ?? null,
  };
}

export async function putLivekitSettings(
  db: SparDatabase,
  workspaceId: number,
  input: LivekitSettingsInput,
  nowMs: number,
): Promise<WorkspaceSettingsRecord> {
  const columns: SettingsColumns = { livekitUrl: input.url, livekitApiKey: input.apiKey };
  if (input.apiSecret !== undefined) {
    columns.livekitApiSecretCiphertext = input.apiSecret?.ciphertext ?? null;
    columns.livekitApiSecretKeyId = input.apiSecret?.keyId ?? null;
  }
  await upsert(db, workspaceId, columns, nowMs);
  return getSettings(db, workspaceId);
}

export async function putLlmSettings(
  db: SparDatabase,
  workspaceId: number,
  input: LlmSettingsInput,
  nowMs: number,
): Promise<WorkspaceSettingsRecord> {
  const columns: SettingsColumns = { llmBaseUrl: input.baseUrl, llmModel: input.model };
  if (input.apiKey !== undefined) {
    columns.llmApiKeyCiphertext = input.apiKey?.ciphertext ?? null;
    columns.llmApiKeyKeyId = input.apiKey?.keyId ?? null;
  }
  await upsert(db, workspaceId, columns, nowMs);
  return getSettings(db, workspaceId);
}

async function upsert(db: SparDatabase, workspaceId: number, columns: SettingsColumns, nowMs: number) {
  await db
    .insert(workspaceSettings)
    .values({ ...columns, workspaceId, updatedAtMs: nowMs })
    .onConflictDoUpdate({ target: workspaceSettings.workspaceId, set: { ...columns, updatedAtMs: nowMs } });
}
