/**
 * Browser calls to an agent (spec/voice-livekit.md § Session API):
 * `POST /v1/sessions/livekit {"agent_id"}` → 200 `{"room_name", "token", "livekit_url",
 * "agent_name", "run_id"}` (the vendor's fields plus the run observing the session, or null and
 * `unobserved_reason` when nothing can observe it),
 * `DELETE /v1/sessions/livekit/{room_name}` → 204.
 */
import { livekitSessionCreateSchema } from "@spar/protocol";
import type { Hono } from "hono";
import { endSession, startLivekitSession } from "../../voice/livekit-sessions.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import type { GatewayServices } from "../services.ts";

export function sessionRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  v1.post("/sessions/livekit", async (c) => {
    const body = await readJson(c, livekitSessionCreateSchema);
    return c.json(await startLivekitSession(services, c.get("principal"), body.agent_id), 200);
  });

  v1.delete("/sessions/livekit/:room_name", async (c) => {
    await endSession(services, c.get("principal").workspaceId, c.req.param("room_name"));
    return c.body(null, 204);
  });
}
