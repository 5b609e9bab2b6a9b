/**
 * The ApiKeyAuthenticator over storage: the presented key's SHA-256 is looked up (keys are
 * stored only hashed); a revoked key is not found. Last use is recorded at most once a minute
 * per key, so a busy client does not turn every read into a write.
 */

import type { SparDatabase } from "../db/database.ts";
import { findApiKeyByHash, touchApiKey } from "../db/repositories/workspaces.ts";
import { hashApiKey } from "../security/api-key.ts";
import type { ApiKeyAuthenticator, Principal } from "./principal.ts";

const TOUCH_EVERY_MS = 60_000;

export function dbAuthenticator(db: SparDatabase, now: () => number): ApiKeyAuthenticator {
  return {
    async authenticate(presentedKey: string): Promise<Principal | undefined> {
      const row = await findApiKeyByHash(db, await hashApiKey(presentedKey));
      if (!row) return undefined;
      const at = now();
      if (row.lastUsedAtMs === null || at - row.lastUsedAtMs >= TOUCH_EVERY_MS)
        await touchApiKey(db, row.id, at);
      return { workspaceId: row.workspaceId, userId: row.userId, apiKeyId: row.id };
    },
  };
}
