/**
 * Webhooks: `POST|GET /v1/webhooks`, `GET|DELETE /v1/webhooks/{id}`. The signing secret is
 * generated here, answered once by the create, and stored sealed; the URL is checked against
 * the outbound policy at save (and by the deliverer again at each attempt).
 */
import { AppError, webhookCreateSchema } from "@spar/protocol";
import type { Hono } from "hono";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  type WebhookRecord,
} from "../../db/repositories/webhooks.ts";
import { sealContext } from "../../db/sealed-fields.ts";
import { generateWebhookSecret } from "../../security/api-key.ts";
import { checkUrlAtSave } from "../../security/outbound-url.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import { pageRequest, pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";

function webhookView(webhook: WebhookRecord) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    created_at: new Date(webhook.createdAtMs).toISOString(),
  };
}

export function webhookRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  v1.post("/webhooks", async (c) => {
    const { workspaceId } = c.get("principal");
    const body = await readJson(c, webhookCreateSchema);
    const url = checkUrlAtSave(body.url, { policy: services.outboundPolicy, schemes: ["https"] });
    if (!url.ok) throw new AppError("bad_request", `url: ${url.message}`);
    const secret = generateWebhookSecret();
    const sealed = await services.secrets.seal(secret, sealContext(workspaceId, "webhook.secret"));
    const webhook = await createWebhook(
      services.db,
      workspaceId,
      {
        url: body.url,
        events: body.events,
        secret: { ciphertext: sealed, keyId: services.secrets.currentKeyId },
      },
      services.now(),
    );
    return c.json({ ...webhookView(webhook), secret }, 201);
  });

  v1.get("/webhooks", async (c) => {
    const page = await listWebhooks(services.db, c.get("principal").workspaceId, pageRequest(c));
    return c.json({ data: page.rows.map(webhookView), next_cursor: page.nextCursor });
  });

  v1.get("/webhooks/:id", async (c) => {
    const id = pathId(c, "webhook");
    const webhook = await getWebhook(services.db, c.get("principal").workspaceId, id);
    if (webhook === undefined) throw new AppError("not_found", `webhook ${id} not found`);
    return c.json(webhookView(webhook));
  });

  v1.delete("/webhooks/:id", async (c) => {
    const id = pathId(c, "webhook");
    if (!(await deleteWebhook(services.db, c.get("principal").workspaceId, id))) {
      throw new AppError("not_found", `webhook ${id} not found`);
    }
    return c.body(null, 204);
  });
}
