/**
 * `/v1/admin/*`: the operator's routes, enabled by SPAR_ADMIN_TOKEN and authenticated by it
 * (`Authorization: Bearer <token>`, compared in constant time) — never by an API key, so a
 * workspace's key can do nothing here. Without the token every admin path answers 404, as if
 * the routes did not exist.
 */
import {
  AppError,
  adminCreditsAddSchema,
  adminUserCreateSchema,
  adminWorkspaceCreateSchema,
} from "@spar/protocol";
import type { Context, Hono } from "hono";
import { addCredits } from "../../db/repositories/credits.ts";
import { createApiKey, createUser } from "../../db/repositories/workspaces.ts";
import { generateApiKey } from "../../security/api-key.ts";
import { secretsEqual } from "../../security/constant-time.ts";
import type { AppEnv } from "../app-env.ts";
import { respondError } from "../http-errors.ts";
import { readJson } from "../json-body.ts";
import { provisionWorkspace } from "../provision.ts";
import { pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const noRoute = (c: Context<AppEnv>) =>
  respondError(c, "not_found", `no route ${c.req.method} ${new URL(c.req.url).pathname}`);

const workspaceNotFound = (id: number) => new AppError("not_found", `workspace ${id} not found`);

export function adminRoutes(admin: Hono<AppEnv>, services: GatewayServices): void {
  const token = services.adminToken;
  if (token === undefined) {
    admin.all("*", noRoute);
    return;
  }
  const { db } = services;

  admin.use(async (c, next) => {
    const presented = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    if (presented === undefined || !(await secretsEqual(presented, token))) {
      throw new AppError("unauthorized", "admin routes take Authorization: Bearer <SPAR_ADMIN_TOKEN>");
    }
    await next();
  });

  admin.post("/workspaces", async (c) => {
    const { name } = await readJson(c, adminWorkspaceCreateSchema);
    const made = await provisionWorkspace(db, {
      workspaceName: name,
      userName: "owner",
      keyName: "default",
      nowMs: services.now(),
    });
    return c.json({ workspace_id: made.workspaceId, user_id: made.userId, api_key: made.apiKey }, 201);
  });

  admin.post("/workspaces/:id/users", async (c) => {
    const workspaceId = pathId(c, "workspace");
    const { name } = await readJson(c, adminUserCreateSchema);
    const nowMs = services.now();
    const user = await createUser(db, workspaceId, { name, nowMs });
    if (!user) throw workspaceNotFound(workspaceId);
    const key = await generateApiKey();
    const row = await createApiKey(db, workspaceId, {
      userId: user.id,
      name: "default",
      prefix: key.prefix,
      hash: key.hash,
      nowMs,
    });
    if (!row) throw new Error("the new user has no API key");
    return c.json({ user_id: user.id, api_key: key.key }, 201);
  });

  admin.post("/workspaces/:id/credits", async (c) => {
    const workspaceId = pathId(c, "workspace");
    const { add } = await readJson(c, adminCreditsAddSchema);
    const balance = await addCredits(db, workspaceId, add, { reason: "admin grant", nowMs: services.now() });
    if (balance === undefined) throw workspaceNotFound(workspaceId);
    return c.json({ balance });
  });

  admin.all("*", noRoute);
}
