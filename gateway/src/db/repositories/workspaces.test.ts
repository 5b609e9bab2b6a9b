import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempStorage, type TempStorage } from "../../runtime/node/temp-storage.fixture.ts";
import { getCreditBalance } from "./credits.ts";
import {
  createApiKey,
  createUser,
  createWorkspace,
  findApiKeyByHash,
  getUser,
  hasAnyWorkspace,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from "./workspaces.ts";

let storage: TempStorage;
beforeEach(async () => {
  storage = await openTempStorage();
});
afterEach(() => storage.dispose());

async function workspaceWithUser(name: string) {
  const workspace = await createWorkspace(storage.db, { name, nowMs: 1 });
  const user = await createUser(storage.db, workspace.id, { name: "local", nowMs: 2 });
  if (user === undefined) throw new Error("setup: no user");
  return { workspace, user };
}

describe("workspaces, users and API keys", () => {
  it("knows whether any workspace exists (the first-start check)", async () => {
    expect(await hasAnyWorkspace(storage.db)).toBe(false);
    const { workspace } = await workspaceWithUser("default");
    expect(await hasAnyWorkspace(storage.db)).toBe(true);
    expect(await getCreditBalance(storage.db, workspace.id)).toBe(0);
  });

  it("creates users only in a workspace that exists", async () => {
    const { workspace, user } = await workspaceWithUser("default");
    expect(user).toEqual({ id: 1, workspaceId: workspace.id, name: "local", createdAtMs: 2 });
    expect(await createUser(storage.db, 999, { name: "ghost", nowMs: 3 })).toBeUndefined();
    expect(await getUser(storage.db, 999, user.id)).toBeUndefined();
  });

  it("finds a live key by its hash, touches it, and stops finding it once revoked", async () => {
    const { workspace, user } = await workspaceWithUser("default");
    const key = await createApiKey(storage.db, workspace.id, {
      userId: user.id,
      name: "ci",
      prefix: "spar_ab",
      hash: "h1",
      nowMs: 5,
    });
    expect(key).toEqual({
      id: 1,
      workspaceId: workspace.id,
      userId: user.id,
      name: "ci",
      prefix: "spar_ab",
      hash: "h1",
      createdAtMs: 5,
      lastUsedAtMs: null,
      revokedAtMs: null,
    });
    await touchApiKey(storage.db, 1, 6);
    expect((await findApiKeyByHash(storage.db, "h1"))?.lastUsedAtMs).toBe(6);
    expect(await findApiKeyByHash(storage.db, "nope")).toBeUndefined();
    expect(await revokeApiKey(storage.db, workspace.id, 1, 7)).toBe(true);
    expect(await revokeApiKey(storage.db, workspace.id, 1, 8)).toBe(false);
    expect(await findApiKeyByHash(storage.db, "h1")).toBeUndefined();
    expect(
      (await listApiKeys(storage.db, workspace.id, { limit: 10 })).rows.map((k) => k.revokedAtMs),
    ).toEqual([7]);
  });

  it("keeps keys to their workspace: no key for another's user, no revoking or listing another's keys", async () => {
    const a = await workspaceWithUser("a");
    const b = await workspaceWithUser("b");
    expect(
      await createApiKey(storage.db, a.workspace.id, {
        userId: b.user.id,
        name: "x",
        prefix: "p",
        hash: "h",
        nowMs: 1,
      }),
    ).toBeUndefined();
    const bKey = await createApiKey(storage.db, b.workspace.id, {
      userId: b.user.id,
      name: "x",
      prefix: "p",
      hash: "hb",
      nowMs: 1,
    });
    expect(await revokeApiKey(storage.db, a.workspace.id, bKey?.id ?? 0, 2)).toBe(false);
    expect((await listApiKeys(storage.db, a.workspace.id, { limit: 10 })).rows).toEqual([]);
    expect((await findApiKeyByHash(storage.db, "hb"))?.revokedAtMs).toBeNull();
  });
});
