import { livekitSettingsViewSchema, llmSettingsViewSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSettings } from "../../db/repositories/settings.ts";
import { openField } from "../../db/sealed-fields.ts";
import { findSecrets } from "../../security/find-secrets.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const NOW = "2026-12-04T12:00:00.000Z";
const LK_SECRET = "lk-workspace-secret-8c1e";
const LLM_KEY = "sk-llm-key-3b9f02";
let h: RouteHarness;
const call: RouteHarness["call"] = (method, path, body, key) => h.call(method, path, body, key);

beforeAll(async () => {
  h = await startRouteHarness();
});
afterAll(async () => {
  await h.close();
});

describe("/v1/settings/livekit", () => {
  it("answers empty settings before anything is saved", async () => {
    expect((await call("GET", "/v1/settings/livekit")).body).toEqual({
      url: null,
      api_key: null,
      api_secret_configured: false,
      updated_at: null,
    });
  });

  it("saves the credentials with the secret sealed and write-only", async () => {
    const put = await call("PUT", "/v1/settings/livekit", {
      url: "wss://lk.example.com",
      api_key: "APIabc",
      api_secret: LK_SECRET,
    });
    expect(put.status).toBe(200);
    const view = {
      url: "wss://lk.example.com",
      api_key: "APIabc",
      api_secret_configured: true,
      updated_at: NOW,
    };
    expect(put.body).toEqual(view);
    expect((await call("GET", "/v1/settings/livekit")).body).toEqual(view);
    livekitSettingsViewSchema.parse(view);
    const stored = (await getSettings(h.services.db, h.a.workspaceId)).livekit.apiSecret;
    if (!stored) throw new Error("no secret stored");
    expect(await openField(h.services.secrets, h.a.workspaceId, "settings.livekit.api_secret", stored)).toBe(
      LK_SECRET,
    );
    expect(
      (await call("GET", "/v1/settings/livekit", undefined, h.b.apiKey)).body.api_secret_configured,
    ).toBe(false);
  });

  it("keeps an omitted secret and clears it on null", async () => {
    const kept = await call("PUT", "/v1/settings/livekit", {
      url: "wss://lk2.example.com",
      api_key: "APIabc",
    });
    expect(kept.body).toMatchObject({ url: "wss://lk2.example.com", api_secret_configured: true });
    const cleared = await call("PUT", "/v1/settings/livekit", { url: null, api_key: null, api_secret: null });
    expect(cleared.body).toEqual({ url: null, api_key: null, api_secret_configured: false, updated_at: NOW });
  });

  it("refuses a URL of the wrong scheme or one the outbound policy refuses, and a missing field", async () => {
    const scheme = await call("PUT", "/v1/settings/livekit", { url: "https://lk.example.com", api_key: "k" });
    expect(scheme.status).toBe(400);
    expect(scheme.body.error.message).toBe("url: must be a ws:// or wss:// URL");
    const policy = await call("PUT", "/v1/settings/livekit", { url: "wss://[fd00::1]", api_key: "k" });
    expect(policy.body.error.message).toBe(
      "url: host fd00::1 is a private address, refused by outbound policy loopback",
    );
    const missing = await call("PUT", "/v1/settings/livekit", { url: "wss://lk.example.com" });
    expect(missing.body.error.message).toBe("api_key: is required (string)");
  });
});

describe("/v1/settings/llm", () => {
  it("saves the LLM with its key write-only, keeps it when omitted and clears it on null", async () => {
    expect((await call("GET", "/v1/settings/llm", undefined, h.b.apiKey)).body).toEqual({
      base_url: null,
      model: null,
      api_key_configured: false,
      updated_at: null,
    });
    const put = await call("PUT", "/v1/settings/llm", {
      base_url: "https://llm.example.com/v1",
      model: "gpt-x",
      api_key: LLM_KEY,
    });
    expect(put.body).toEqual({
      base_url: "https://llm.example.com/v1",
      model: "gpt-x",
      api_key_configured: true,
      updated_at: NOW,
    });
    llmSettingsViewSchema.parse(put.body);
    const stored = (await getSettings(h.services.db, h.a.workspaceId)).llm.apiKey;
    if (!stored) throw new Error("no key stored");
    expect(await openField(h.services.secrets, h.a.workspaceId, "settings.llm.api_key", stored)).toBe(
      LLM_KEY,
    );
    const kept = await call("PUT", "/v1/settings/llm", {
      base_url: "http://127.0.0.1:11434/v1",
      model: "llama",
    });
    expect(kept.body.api_key_configured).toBe(true);
    expect(
      (await call("PUT", "/v1/settings/llm", { base_url: null, model: null, api_key: null })).body
        .api_key_configured,
    ).toBe(false);
  });

  it("refuses a base URL the outbound policy refuses, and an unknown field", async () => {
    const res = await call("PUT", "/v1/settings/llm", {
      base_url: "http://10.0.0.5/v1",
      model: "m",
      temperature: 1,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("(root): unknown field `temperature` (check the spelling)");
    const policy = await call("PUT", "/v1/settings/llm", { base_url: "http://10.0.0.5/v1", model: "m" });
    expect(policy.body.error.message).toBe(
      "base_url: host 10.0.0.5 is a private address, refused by outbound policy loopback",
    );
  });

  it("answers no configured secret in any response or log line", () => {
    expect(findSecrets(h.bodies.join("\n"), [LK_SECRET, LLM_KEY])).toEqual([]);
    expect(findSecrets(JSON.stringify(h.logs), [LK_SECRET, LLM_KEY])).toEqual([]);
  });
});
