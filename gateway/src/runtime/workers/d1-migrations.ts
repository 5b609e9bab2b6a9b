/**
 * The shared migrations folder (gateway/drizzle/migrations), bundled into the Worker and applied
 * to D1 when an isolate starts, in `wrangler d1 migrations apply`'s own bookkeeping (table
 * `d1_migrations`, one row per file name), so either may run first and neither repeats the
 * other. Each migration is one D1 batch: its statements and its bookkeeping row commit together.
 * A new migration is added to MIGRATIONS; d1-migrations.test.ts fails until it is.
 */
import type { D1Database } from "@cloudflare/workers-types";
import m0000 from "../../../drizzle/migrations/0000_init.sql";
import m0001 from "../../../drizzle/migrations/0001_credit_ledger_trigger.sql";
import m0002 from "../../../drizzle/migrations/0002_run_duration_and_delivery_failures.sql";
import m0003 from "../../../drizzle/migrations/0003_runs_test_run_outcome_index.sql";
import m0004 from "../../../drizzle/migrations/0004_voice_jobs.sql";
import m0005 from "../../../drizzle/migrations/0005_livekit_sessions.sql";
import m0006 from "../../../drizzle/migrations/0006_run_events_source_seq.sql";
import m0007 from "../../../drizzle/migrations/0007_webhook_delivery_lease.sql";
import { statementsOf } from "./migration-statements.ts";

export const MIGRATIONS: readonly { name: string; sql: string }[] = [
  { name: "0000_init.sql", sql: m0000 },
  { name: "0001_credit_ledger_trigger.sql", sql: m0001 },
  { name: "0002_run_duration_and_delivery_failures.sql", sql: m0002 },
  { name: "0003_runs_test_run_outcome_index.sql", sql: m0003 },
  { name: "0004_voice_jobs.sql", sql: m0004 },
  { name: "0005_livekit_sessions.sql", sql: m0005 },
  { name: "0006_run_events_source_seq.sql", sql: m0006 },
  { name: "0007_webhook_delivery_lease.sql", sql: m0007 },
];

const BOOKKEEPING =
  "CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)";

/** Applies every migration D1 has not seen; answers the names applied now. */
export async function applyD1Migrations(db: D1Database): Promise<string[]> {
  await db.prepare(BOOKKEEPING).run();
  const { results } = await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
  const applied = new Set(results.map((r) => r.name));
  const now: string[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.name)) continue;
    try {
      await db.batch([
        ...statementsOf(migration.sql).map((s) => db.prepare(s)),
        db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(migration.name),
      ]);
    } catch (error) {
      // Another isolate applied it meanwhile: its row is there now, and the batch rolled back.
      const again = await db
        .prepare("SELECT 1 AS found FROM d1_migrations WHERE name = ?")
        .bind(migration.name)
        .first<{ found: number }>();
      if (again === null) throw error;
      continue;
    }
    now.push(migration.name);
  }
  return now;
}
