/**
 * `/v1/api-keys`: a workspace's keys. A new key is answered whole this once and stored only as
 * its hash; lists show the prefix. A revoked key authenticates nothing from then on.
 */
import { AppError, apiKeyCreateSchema } from "@spar/protocol";
import type { Hono } from "hono";
import {
  type ApiKeyRecord,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from "../../db/repositories/workspaces.ts";
import { generateApiKey } from "../../security/api-key.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import { isoTime, isoTimeOrNull, pageRequest, pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";

function apiKeyView(k: ApiKeyRecord) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: isoTime(k.createdAtMs),
    last_used_at: isoTimeOrNull(k.lastUsedAtMs),
    revoked_at: isoTimeOrNull(k.revokedAtMs),
  };
}

export function apiKeyRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  const { db } = services;

  v1.post("/api-keys", async (c) => {
    const { workspaceId, userId } = c.get("principal");
    const { name } = await readJson(c, apiKeyCreateSchema);
    const key = await generateApiKey();
    const row = await createApiKey(db, workspaceId, {
      userId,
      name,
      prefix: key.prefix,
      hash: key.hash,
      nowMs: services.now(),
    });
    // The caller's own user: gone only if storage lost it under a live key.
    if (!row) throw new Error("the calling user is not in its workspace");
    return c.json(
      { id: row.id, name: row.name, prefix: row.prefix, key: key.key, created_at: isoTime(row.createdAtMs) },
      201,
    );
  });

  v1.get("/api-keys", async (c) => {
    const page = await listApiKeys(db, c.get("principal").workspaceId, pageRequest(c));
    return c.json({ data: page.rows.map(apiKeyView), next_cursor: page.nextCursor });
  });

  v1.delete("/api-keys/:id", async (c) => {
    const id = pathId(c, "API key");
    if (!(await revokeApiKey(db, c.get("principal").workspaceId, id, services.now()))) {
      throw new AppError("not_found", `API key ${id} not found`);
    }
    return c.body(null, 204);
  });
}
