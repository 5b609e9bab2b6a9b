/** What a workspace tests with: agents, scenarios and metrics. */
import type { Assertion, Scenario, TextChannel } from "@spar/protocol";
import {
  type AnySQLiteColumn,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { workspaces } from "./tenants.ts";

export type JsonObject = Record<string, unknown>;

/** An agent's text channel as the suite file has it, minus the secret (stored sealed beside it). */
export type StoredTextChannel = Omit<TextChannel, "secret">;

/** A suite-file scenario minus what has its own column (`id` is `key`; `name`; `tags`). */
export type ScenarioBody = Omit<Scenario, "id" | "name" | "tags">;

export const METRIC_KINDS = ["judge", "assertion"] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
export const METRIC_SCOPES = ["text_and_voice", "text_only"] as const;
export type MetricScope = (typeof METRIC_SCOPES)[number];

export const agents = sqliteTable(
  "agents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** The suite file's agent id (a slug); NULL for agents made only through the API. */
    key: text("key"),
    name: text("name").notNull(),
    text: text("text_json", { mode: "json" }).$type<StoredTextChannel>(),
    textSecretCiphertext: text("text_secret_ciphertext"),
    textSecretKeyId: text("text_secret_key_id"),
    /** The voice channel as the API takes it, minus `api_secret` (stored sealed beside it). */
    voice: text("voice_json", { mode: "json" }).$type<JsonObject>(),
    voiceApiSecretCiphertext: text("voice_api_secret_ciphertext"),
    voiceApiSecretKeyId: text("voice_api_secret_key_id"),
    metricIds: text("metric_ids_json", { mode: "json" }).$type<number[]>().notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  // NULL keys never collide in a SQLite unique index, so key-less agents coexist.
  (t) => [uniqueIndex("agents_workspace_key").on(t.workspaceId, t.key)],
);

export const scenarios = sqliteTable(
  "scenarios",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    key: text("key"),
    /** Deleting the agent leaves its scenarios in the workspace, unattached. */
    agentId: integer("agent_id").references((): AnySQLiteColumn => agents.id, { onDelete: "set null" }),
    name: text("name"),
    /** Filtered with json_each (SQLite's JSON1 is on libSQL, D1 and Durable Objects alike). */
    tags: text("tags_json", { mode: "json" }).$type<string[]>().notNull(),
    body: text("body_json", { mode: "json" }).$type<ScenarioBody>().notNull(),
    expectedOutcome: text("expected_outcome"),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [
    uniqueIndex("scenarios_workspace_key").on(t.workspaceId, t.key),
    index("scenarios_workspace_agent").on(t.workspaceId, t.agentId),
  ],
);

export const metrics = sqliteTable(
  "metrics",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: METRIC_KINDS }).notNull(),
    /** The judge's instruction when `kind` is judge. */
    judge: text("judge"),
    /** One suite assertion when `kind` is assertion. */
    assertion: text("assertion_json", { mode: "json" }).$type<Assertion>(),
    appliesTo: text("applies_to", { enum: METRIC_SCOPES }).notNull(),
    critical: integer("critical", { mode: "boolean" }).notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [index("metrics_workspace").on(t.workspaceId)],
);
