/**
 * The gateway's one drizzle schema (sqlite-core): the same tables on a libSQL file (Node), D1
 * and Durable-Object SQLite (Workers). Migrations: gateway/drizzle/migrations, regenerated with
 * `npx drizzle-kit generate --config gateway/drizzle/drizzle.config.ts`.
 *
 * Conventions:
 * - Integer autoincrement ids: vendor CI clients send `int(agent_id)`; AUTOINCREMENT also
 *   guarantees a deleted id is never handed out again (a stale id can never reach a new object).
 * - Every tenant-owned row has `workspace_id`; repositories filter on it in every query.
 * - Times are epoch milliseconds in `*_at_ms` integer columns: the injected clock is `() =>
 *   number` ms, deadlines and retry times compare as integers in SQL (`deadline_at_ms <= ?`)
 *   with no parsing, and the unit is in the name. The API renders them as ISO 8601 strings.
 * - Secrets are never stored in plaintext: `*_ciphertext` + `*_key_id` pairs, sealed and
 *   opened outside the database layer. API keys are stored as a hash only.
 * - JSON columns end in `_json` and hold what the API would return for that field.
 */
export * from "./schema/catalog.ts";
export * from "./schema/runs.ts";
export * from "./schema/sessions.ts";
export * from "./schema/tenants.ts";
export * from "./schema/voice-jobs.ts";
export * from "./schema/webhooks.ts";
