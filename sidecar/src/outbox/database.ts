import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import * as schema from "./schema.ts";

export type OutboxDatabase = LibSQLDatabase<typeof schema>;

/**
 * sidecar/drizzle/migrations next to the sources; a compiled build (scripts/build.mjs, the
 * container image) carries a copy beside its bundle as `outbox-migrations`.
 */
const MIGRATIONS_FOLDER = [
  new URL("../../drizzle/migrations", import.meta.url),
  new URL("./outbox-migrations", import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .find((folder) => existsSync(folder));

export interface OpenedOutboxDatabase {
  db: OutboxDatabase;
  close(): void;
}

/**
 * Opens (creating if needed) the outbox file and brings its schema up to date.
 * `url` is a libSQL URL, normally `file:/var/lib/spar/outbox.db`.
 */
export async function openOutboxDatabase(url: string): Promise<OpenedOutboxDatabase> {
  const client: Client = createClient({ url });
  // Another process (a restarted sidecar, a test) may hold the file briefly: wait instead of failing.
  await client.execute("PRAGMA busy_timeout = 5000");
  const db = drizzle(client, { schema });
  if (MIGRATIONS_FOLDER === undefined) {
    client.close();
    throw new Error("the outbox's migrations folder is missing from this build (sidecar/drizzle/migrations)");
  }
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return { db, close: () => client.close() };
}
