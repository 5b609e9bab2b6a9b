import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type * as schema from "./schema.ts";

/**
 * What every repository takes: a drizzle SQLite database over this schema — libSQL on Node, D1
 * or Durable-Object SQLite on Workers (database.typecheck.ts). The DO driver is "sync", so both
 * kinds are allowed; repositories always `await`, which works for either. The run-result type
 * differs per driver and no repository reads it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the driver's run result (ResultSet, D1Result…) is never read
export type SparDatabase = BaseSQLiteDatabase<"sync" | "async", any, typeof schema>;
