// drizzle-kit configuration: `npx drizzle-kit generate --config gateway/drizzle/drizzle.config.ts`
// regenerates the SQL migrations in this folder from gateway/src/db/schema.ts. The same folder
// is what the libSQL migrator (Node), `wrangler d1 migrations apply` and the Durable-Object
// migrator apply.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./gateway/src/db/schema.ts",
  out: "./gateway/drizzle/migrations",
});
