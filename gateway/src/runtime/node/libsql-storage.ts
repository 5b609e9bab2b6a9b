import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import * as schema from "../../db/schema.ts";

/**
 * gateway/drizzle/migrations: the same folder D1 and the Durable-Object migrator apply. The
 * packed `spar` command (cli/dist) carries a copy beside its chunks as `gateway-migrations`.
 */
const MIGRATIONS_FOLDER = [
  new URL("../../../drizzle/migrations", import.meta.url),
  new URL("./gateway-migrations", import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .find((folder) => existsSync(folder));

export interface LibsqlStorage {
  db: LibSQLDatabase<typeof schema>;
  close(): void;
}

/**
 * Opens (creating the folder and the file if needed) the gateway's libSQL database at `path`
 * and brings its schema up to date before anything can query it.
 */
export async function openLibsqlStorage(path: string): Promise<LibsqlStorage> {
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  // `timeout` is SQLite's busy timeout on every pooled connection: a second process (a restarted
  // gateway, a CLI reading the file) waits for the lock instead of failing at once.
  const client = createClient({ url: pathToFileURL(absolute).href, timeout: 5000 });
  try {
    // WAL lets SSE readers read while a run writes; it is a property of the file, set once.
    await client.execute("PRAGMA journal_mode = WAL");
    const db = drizzle(client, { schema });
    if (MIGRATIONS_FOLDER === undefined)
      throw new Error("the gateway's migrations folder is missing from this install");
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db, close: () => client.close() };
  } catch (error) {
    client.close();
    throw error;
  }
}
