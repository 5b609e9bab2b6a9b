import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSecrets } from "../../security/find-secrets.ts";
import type { AppEnv } from "../app-env.ts";
import { createGatewayApp } from "../gateway-app.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const ADMIN_TOKEN = "admin-token-0c8e7d6f5a4b";
let h: RouteHarness;
/** The same app, asked directly: admin requests carry the admin token and no API key. */
let app: Hono<AppEnv>;
const bodies: string[] = [];

async function send(
  on: Hono<AppEnv>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await on.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}
const asAdmin = (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) =>
  send(app, method, path, body, { Authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await startRouteHarness({
    adminToken: ADMIN_TOKEN,
    credits: { enabled: true, textRunCost: 1, voiceRunCost: 10 },
  });
  app = createGatewayApp(h.services, () => "req_admin");
});
afterAll(async () => {
  await h.close();
});

describe("/v1/admin with SPAR_ADMIN_TOKEN", () => {
  it("provisions a workspace whose key works and sees only its own objects", async () => {
    const res = await asAdmin("POST", "/v1/admin/workspaces", { name: "acme" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      workspace_id: expect.any(Number),
      user_id: expect.any(Number),
      api_key: expect.stringMatching(/^spar_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/),
    });
    expect(res.body.workspace_id).not.toBe(h.a.workspaceId);
    const keys = await h.call("GET", "/v1/api-keys", undefined, res.body.api_key);
    expect(keys.status).toBe(200);
    expect(keys.body.data.map((k: { name: string }) => k.name)).toEqual(["default"]);
  });

  it("adds a user with a key to a workspace, and answers 404 for a workspace that does not exist", async () => {
    const res = await asAdmin("POST", `/v1/admin/workspaces/${h.b.workspaceId}/users`, { name: "ci-bot" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user_id: expect.any(Number), api_key: expect.stringMatching(/^spar_/) });
    expect((await h.call("GET", "/v1/api-keys", undefined, res.body.api_key)).body.data).toHaveLength(2);
    const missing = await asAdmin("POST", "/v1/admin/workspaces/999999/users", { name: "x" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe("workspace 999999 not found");
  });

  it("grants credits, which the workspace then reads", async () => {
    const first = await asAdmin("POST", `/v1/admin/workspaces/${h.a.workspaceId}/credits`, { add: 50 });
    expect(first).toEqual({ status: 200, body: { balance: 50 } });
    expect(
      (await asAdmin("POST", `/v1/admin/workspaces/${h.a.workspaceId}/credits`, { add: 7 })).body,
    ).toEqual({
      balance: 57,
    });
    expect((await h.call("GET", "/v1/credits")).body).toEqual({ enabled: true, balance: 57 });
    expect((await h.call("GET", "/v1/credits", undefined, h.b.apiKey)).body).toEqual({
      enabled: true,
      balance: 0,
    });
    const zero = await asAdmin("POST", `/v1/admin/workspaces/${h.a.workspaceId}/credits`, { add: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.message).toBe("add: must be a whole number of credits from 1 to 1000000000");
    expect((await asAdmin("POST", "/v1/admin/workspaces/999999/credits", { add: 1 })).status).toBe(404);
  });

  it("refuses a wrong or missing token, and an API key in its place, with 401", async () => {
    for (const headers of [
      { Authorization: "Bearer wrong-token" },
      {},
      { Authorization: `Bearer ${h.a.apiKey}` },
      { "X-API-Key": h.a.apiKey },
    ]) {
      const res = await send(app, "POST", "/v1/admin/workspaces", { name: "x" }, headers);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe("admin routes take Authorization: Bearer <SPAR_ADMIN_TOKEN>");
    }
  });

  it("does not let the admin token act as an API key, and answers an unknown admin path 404", async () => {
    expect((await asAdmin("GET", "/v1/agents")).status).toBe(401);
    expect((await asAdmin("GET", "/v1/admin/nothing")).status).toBe(404);
  });

  it("answers no API key it did not create and never the admin token", () => {
    expect(findSecrets(bodies.join("\n"), [ADMIN_TOKEN, h.a.apiKey, h.b.apiKey])).toEqual([]);
  });
});

describe("/v1/admin without SPAR_ADMIN_TOKEN", () => {
  it("answers 404 on every admin path, with a token, an API key or nothing", async () => {
    const withoutToken = createGatewayApp({ ...h.services, adminToken: undefined }, () => "req_off");
    for (const [path, headers] of [
      ["/v1/admin/workspaces", { Authorization: `Bearer ${ADMIN_TOKEN}` }],
      [`/v1/admin/workspaces/${h.a.workspaceId}/credits`, { "X-API-Key": h.a.apiKey }],
      ["/v1/admin/workspaces", {}],
    ] as const) {
      const res = await send(withoutToken, "POST", path, { name: "x", add: 1 }, headers);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        code: "not_found",
        message: `no route POST ${path}`,
        request_id: "req_off",
      });
    }
  });
});
