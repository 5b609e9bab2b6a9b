/**
 * The first start on Workers. Node creates workspace `default` and writes its key to
 * `<data>/api-key`; a Worker has no file to write, so `spar serve --runtime workers` makes the
 * key on the Node side, keeps it in `<data>/api-key`, and hands the Worker only its prefix and
 * SHA-256 (neither is a secret). While no workspace exists, the Worker creates `default` with
 * user `local` and that key. A deployed Worker sets neither variable and starts workspaces with
 * `POST /v1/admin/workspaces` (SPAR_ADMIN_TOKEN).
 */
import type { SparDatabase } from "../../db/database.ts";
import {
  createApiKey,
  createUser,
  createWorkspace,
  hasAnyWorkspace,
} from "../../db/repositories/workspaces.ts";

const PREFIX = /^spar_[A-Za-z0-9]{8}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export interface FirstKey {
  prefix: string;
  sha256: string;
}

/** The first key the env names; undefined when it names none; throws on a malformed one. */
export function firstKeyOf(prefix: string | undefined, sha256: string | undefined): FirstKey | undefined {
  if (prefix === undefined && sha256 === undefined) return undefined;
  if (prefix === undefined || !PREFIX.test(prefix) || sha256 === undefined || !SHA256.test(sha256)) {
    throw new Error(
      "SPAR_FIRST_KEY_PREFIX and SPAR_FIRST_KEY_SHA256 must be set together, as spar serve sets them",
    );
  }
  return { prefix, sha256 };
}

/** Creates workspace `default` with the first key if there is no workspace yet; true if it did. */
export async function bootstrapWorkspace(db: SparDatabase, key: FirstKey, nowMs: number): Promise<boolean> {
  if (await hasAnyWorkspace(db)) return false;
  const workspace = await createWorkspace(db, { name: "default", nowMs });
  const user = await createUser(db, workspace.id, { name: "local", nowMs });
  if (!user) throw new Error("the new workspace has no user");
  await createApiKey(db, workspace.id, {
    userId: user.id,
    name: "first start",
    prefix: key.prefix,
    hash: key.sha256,
    nowMs,
  });
  return true;
}
