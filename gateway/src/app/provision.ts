/**
 * Creating a workspace with its first user and API key: the first start of `spar serve` and
 * the admin route do the same. The key is returned this once; storage keeps only its hash.
 */
import type { SparDatabase } from "../db/database.ts";
import { createApiKey, createUser, createWorkspace } from "../db/repositories/workspaces.ts";
import { generateApiKey } from "../security/api-key.ts";

export interface ProvisionedWorkspace {
  workspaceId: number;
  userId: number;
  apiKeyId: number;
  apiKey: string;
}

export async function provisionWorkspace(
  db: SparDatabase,
  input: { workspaceName: string; userName: string; keyName: string; nowMs: number },
): Promise<ProvisionedWorkspace> {
  const workspace = await createWorkspace(db, { name: input.workspaceName, nowMs: input.nowMs });
  const user = await createUser(db, workspace.id, { name: input.userName, nowMs: input.nowMs });
  if (!user) throw new Error("the new workspace has no user");
  const key = await generateApiKey();
  const row = await createApiKey(db, workspace.id, {
    userId: user.id,
    name: input.keyName,
    prefix: key.prefix,
    hash: key.hash,
    nowMs: input.nowMs,
  });
  if (!row) throw new Error("the new user has no API key");
  return { workspaceId: workspace.id, userId: user.id, apiKeyId: row.id, apiKey: key.key };
}
