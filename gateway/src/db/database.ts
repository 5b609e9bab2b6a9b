import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type * as schema from "./schema.ts";

/**
 * What every repository takes: any async drizzle SQLite database over this schema — libSQL on
 * Node, D1 on Workers. The run-result type differs per driver and no repository reads it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the driver's run result (ResultSet, D1Result…) is never read
export type SparDatabase = BaseSQLiteDatabase<"async", any, typeof schema>;
