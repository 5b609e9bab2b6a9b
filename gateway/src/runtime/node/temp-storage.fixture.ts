// Test support: a real libSQL file in a fresh temp folder, migrated, removed on close.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LibsqlStorage, openLibsqlStorage } from "./libsql-storage.ts";

export interface TempStorage extends LibsqlStorage {
  path: string;
  dispose(): Promise<void>;
}

export async function openTempStorage(): Promise<TempStorage> {
  const dir = await mkdtemp(join(tmpdir(), "spar-gw-db-"));
  const path = join(dir, "gateway.db");
  const storage = await openLibsqlStorage(path);
  return {
    ...storage,
    path,
    async dispose() {
      storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
