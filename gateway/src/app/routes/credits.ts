/** `GET /v1/credits`: whether runs cost credits here, and the workspace's balance. */
import type { CreditsView } from "@spar/protocol";
import type { Hono } from "hono";
import { getCreditBalance } from "../../db/repositories/credits.ts";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";

export function creditRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  v1.get("/credits", async (c) => {
    const view: CreditsView = {
      enabled: services.credits.enabled,
      balance: await getCreditBalance(services.db, c.get("principal").workspaceId),
    };
    return c.json(view);
  });
}
