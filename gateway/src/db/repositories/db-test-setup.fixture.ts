// Test support for repository tests: a migrated temp libSQL file with two workspaces, A and B.
import { openTempStorage, type TempStorage } from "../../runtime/node/temp-storage.fixture.ts";
import type { SparDatabase } from "../database.ts";
import { createWorkspace } from "./workspaces.ts";

export interface TwoWorkspaces {
  storage: TempStorage;
  db: SparDatabase;
  a: number;
  b: number;
}

export async function openTwoWorkspaces(): Promise<TwoWorkspaces> {
  const storage = await openTempStorage();
  const a = await createWorkspace(storage.db, { name: "a", nowMs: 1 });
  const b = await createWorkspace(storage.db, { name: "b", nowMs: 2 });
  return { storage, db: storage.db, a: a.id, b: b.id };
}
