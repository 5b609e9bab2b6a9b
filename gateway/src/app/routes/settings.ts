/**
 * `/v1/settings/livekit` and `/v1/settings/llm`: the workspace's defaults. Secrets are
 * write-only (answered as `*_configured`); URLs are checked against the outbound policy at save.
 */
import { livekitSettingsPutSchema, llmSettingsPutSchema } from "@spar/protocol";
import type { Hono } from "hono";
import {
  getSettings,
  putLivekitSettings,
  putLlmSettings,
  type WorkspaceSettingsRecord,
} from "../../db/repositories/settings.ts";
import { sealField } from "../../db/sealed-fields.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import { isoTimeOrNull } from "../request-params.ts";
import { checkUrlsAtSave } from "../saved-urls.ts";
import type { GatewayServices } from "../services.ts";

function livekitView(s: WorkspaceSettingsRecord) {
  return {
    url: s.livekit.url,
    api_key: s.livekit.apiKey,
    api_secret_configured: s.livekit.apiSecret !== null,
    updated_at: isoTimeOrNull(s.updatedAtMs),
  };
}

function llmView(s: WorkspaceSettingsRecord) {
  return {
    base_url: s.llm.baseUrl,
    model: s.llm.model,
    api_key_configured: s.llm.apiKey !== null,
    updated_at: isoTimeOrNull(s.updatedAtMs),
  };
}

export function settingsRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  const { db } = services;

  v1.get("/settings/livekit", async (c) =>
    c.json(livekitView(await getSettings(db, c.get("principal").workspaceId))),
  );

  v1.put("/settings/livekit", async (c) => {
    const { workspaceId } = c.get("principal");
    const body = await readJson(c, livekitSettingsPutSchema);
    checkUrlsAtSave(services.outboundPolicy, [{ field: "url", url: body.url, scheme: "wss" }]);
    const secret = body.api_secret;
    const saved = await putLivekitSettings(
      db,
      workspaceId,
      {
        url: body.url,
        apiKey: body.api_key,
        ...(secret === undefined
          ? {}
          : {
              apiSecret:
                secret === null
                  ? null
                  : await sealField(services.secrets, workspaceId, "settings.livekit.api_secret", secret),
            }),
      },
      services.now(),
    );
    return c.json(livekitView(saved));
  });

  v1.get("/settings/llm", async (c) =>
    c.json(llmView(await getSettings(db, c.get("principal").workspaceId))),
  );

  v1.put("/settings/llm", async (c) => {
    const { workspaceId } = c.get("principal");
    const body = await readJson(c, llmSettingsPutSchema);
    checkUrlsAtSave(services.outboundPolicy, [{ field: "base_url", url: body.base_url, scheme: "https" }]);
    const key = body.api_key;
    const saved = await putLlmSettings(
      db,
      workspaceId,
      {
        baseUrl: body.base_url,
        model: body.model,
        ...(key === undefined
          ? {}
          : {
              apiKey:
                key === null
                  ? null
                  : await sealField(services.secrets, workspaceId, "settings.llm.api_key", key),
            }),
      },
      services.now(),
    );
    return c.json(llmView(saved));
  });
}
