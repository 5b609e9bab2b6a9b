// drizzle-kit configuration: `npx drizzle-kit generate --config sidecar/drizzle/drizzle.config.ts`
// regenerates the SQL migrations in this folder from sidecar/src/outbox/schema.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./sidecar/src/outbox/schema.ts",
  out: "./sidecar/drizzle/migrations",
});
