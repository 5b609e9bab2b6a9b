import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createWorkspace, getWorkspace } from "../../db/index.ts";
import { openLibsqlStorage } from "./libsql-storage.ts";

const TABLES = [
  "agents",
  "api_keys",
  "credit_ledger",
  "livekit_sessions",
  "metrics",
  "run_events",
  "runs",
  "scenarios",
  "test_runs",
  "users",
  "voice_jobs",
  "webhook_deliveries",
  "webhooks",
  "workspace_credits",
  "workspace_settings",
  "workspaces",
];

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = "";
});

describe("openLibsqlStorage", () => {
  it("creates the folder and a file holding every table and the credit trigger", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-gw-open-"));
    const path = join(dir, "nested", "data", "gateway.db");
    const storage = await openLibsqlStorage(path);
    try {
      expect((await stat(path)).isFile()).toBe(true);
      const objects = await storage.db.all<{ type: string; name: string }>(
        sql`select type, name from sqlite_master where type in ('table', 'trigger') and name not like 'sqlite_%' and name not like '__drizzle%' order by name`,
      );
      expect(objects.filter((o) => o.type === "table").map((o) => o.name)).toEqual(TABLES);
      expect(objects.filter((o) => o.type === "trigger").map((o) => o.name)).toEqual(["credit_ledger_apply"]);
      const [journal] = await storage.db.all<{ journal_mode: string }>(sql`pragma journal_mode`);
      expect(journal?.journal_mode).toBe("wal");
    } finally {
      storage.close();
    }
  });

  it("reopens an existing file without re-applying migrations or losing rows", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-gw-open-"));
    const path = join(dir, "gateway.db");
    const first = await openLibsqlStorage(path);
    const workspace = await createWorkspace(first.db, { name: "default", nowMs: 1_000 });
    first.close();

    const second = await openLibsqlStorage(path);
    try {
      expect(await getWorkspace(second.db, workspace.id)).toEqual({
        id: workspace.id,
        name: "default",
        createdAtMs: 1_000,
      });
      const applied = await second.db.all<{ n: number }>(sql`select count(*) as n from __drizzle_migrations`);
      // Once each, however often the file is opened: as many as the journal lists.
      const journal = JSON.parse(
        readFileSync(new URL("../../../drizzle/migrations/meta/_journal.json", import.meta.url), "utf8"),
      ) as { entries: unknown[] };
      expect(journal.entries.length).toBeGreaterThanOrEqual(3);
      expect(applied).toEqual([{ n: journal.entries.length }]);
    } finally {
      second.close();
    }
  });

  it("enforces foreign keys, which deleting a webhook relies on to drop its deliveries", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-gw-open-"));
    const storage = await openLibsqlStorage(join(dir, "gateway.db"));
    try {
      const [fk] = await storage.db.all<{ foreign_keys: number }>(sql`pragma foreign_keys`);
      expect(fk?.foreign_keys).toBe(1);
      await expect(
        storage.db.run(sql`insert into users (workspace_id, name, created_at_ms) values (999, 'ghost', 0)`),
      ).rejects.toMatchObject({
        cause: { message: expect.stringContaining("FOREIGN KEY constraint failed") },
      });
    } finally {
      storage.close();
    }
  });
});
