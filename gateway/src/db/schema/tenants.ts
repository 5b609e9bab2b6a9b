/**
 * Who owns what: workspaces (the tenant), their users and API keys, their settings and their
 * credits. Times are epoch milliseconds (see schema.ts for why).
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const workspaces = sqliteTable("workspaces", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  createdAtMs: integer("created_at_ms").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [index("users_workspace").on(t.workspaceId)],
);

/** The key itself is never stored: only its SHA-256 hash and the prefix shown in lists. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    lastUsedAtMs: integer("last_used_at_ms"),
    revokedAtMs: integer("revoked_at_ms"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash), index("api_keys_workspace").on(t.workspaceId)],
);

/**
 * Per-workspace defaults. Secrets are AES-GCM ciphertext with the id of the key that sealed
 * them beside it, so a key rotation can find and re-encrypt every one.
 */
export const workspaceSettings = sqliteTable("workspace_settings", {
  workspaceId: integer("workspace_id")
    .primaryKey()
    .references(() => workspaces.id),
  livekitUrl: text("livekit_url"),
  livekitApiKey: text("livekit_api_key"),
  livekitApiSecretCiphertext: text("livekit_api_secret_ciphertext"),
  livekitApiSecretKeyId: text("livekit_api_secret_key_id"),
  llmBaseUrl: text("llm_base_url"),
  llmModel: text("llm_model"),
  llmApiKeyCiphertext: text("llm_api_key_ciphertext"),
  llmApiKeyKeyId: text("llm_api_key_key_id"),
  updatedAtMs: integer("updated_at_ms").notNull(),
});

/**
 * The balance a debit checks. It changes only through credit_ledger: a trigger (migration
 * 0001) applies each ledger row's delta in the same statement that inserts it, so the balance
 * and its audit trail cannot disagree even without a transaction (D1 has none).
 */
export const workspaceCredits = sqliteTable("workspace_credits", {
  workspaceId: integer("workspace_id")
    .primaryKey()
    .references(() => workspaces.id),
  balance: integer("balance").notNull(),
});

export const creditLedger = sqliteTable(
  "credit_ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** Positive for a grant, negative for a debit. */
    delta: integer("delta").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    reason: text("reason").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [index("credit_ledger_workspace").on(t.workspaceId)],
);
