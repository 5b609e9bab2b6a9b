// Compile-time proof, checked by `tsc` (npm run typecheck), that the repositories accept the
// databases of all three drivers the gateway runs on: libSQL (Node), D1 and Durable-Object SQLite.
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import type { SparDatabase } from "./database.ts";
import type * as schema from "./schema.ts";

export const fromLibsql = (db: LibSQLDatabase<typeof schema>): SparDatabase => db;
export const fromD1 = (db: DrizzleD1Database<typeof schema>): SparDatabase => db;
export const fromDurableObject = (db: DrizzleSqliteDODatabase<typeof schema>): SparDatabase => db;
