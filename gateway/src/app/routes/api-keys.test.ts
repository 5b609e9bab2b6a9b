import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSecrets } from "../../security/find-secrets.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const NOW = "2026-12-04T12:00:00.000Z";
let h: RouteHarness;
const newKeys: string[] = [];
const call: RouteHarness["call"] = (method, path, body, key) => h.call(method, path, body, key);

beforeAll(async () => {
  h = await startRouteHarness();
});
afterAll(async () => {
  await h.close();
});

describe("/v1/api-keys", () => {
  it("creates a key that is shown once, starts with its prefix and authenticates", async () => {
    const res = await h.call("POST", "/v1/api-keys", { name: "ci" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: res.body.id,
      name: "ci",
      prefix: expect.stringMatching(/^spar_[A-Za-z0-9]{8}$/),
      key: expect.stringMatching(/^spar_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/),
      created_at: NOW,
    });
    expect(res.body.key.startsWith(`${res.body.prefix}_`)).toBe(true);
    newKeys.push(res.body.key);
    expect((await call("GET", "/v1/credits", undefined, res.body.key)).status).toBe(200);
  });

  it("lists the workspace's keys with no key or hash", async () => {
    const res = await call("GET", "/v1/api-keys");
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data.map((k: { name: string }) => k.name)).toEqual(["ci", "default"]);
    expect(res.body.data[0]).toEqual({
      id: res.body.data[0].id,
      name: "ci",
      prefix: res.body.data[0].prefix,
      created_at: NOW,
      last_used_at: NOW,
      revoked_at: null,
    });
    const b = await call("GET", "/v1/api-keys", undefined, h.b.apiKey);
    expect(b.body.data.map((k: { id: number }) => k.id)).toEqual([h.b.apiKeyId]);
  });

  it("revokes a key with 204; the key then gets 401 and the list shows when", async () => {
    const made = await h.call("POST", "/v1/api-keys", { name: "short-lived" });
    newKeys.push(made.body.key);
    expect((await call("DELETE", `/v1/api-keys/${made.body.id}`)).status).toBe(204);
    expect((await call("GET", "/v1/api-keys", undefined, made.body.key)).status).toBe(401);
    const listed = await call("GET", "/v1/api-keys?limit=1");
    expect(listed.body.data[0]).toMatchObject({ id: made.body.id, revoked_at: NOW });
    expect(listed.body.next_cursor).toEqual(expect.any(String));
    expect((await call("DELETE", `/v1/api-keys/${made.body.id}`)).status).toBe(404);
  });

  it("answers another workspace's key id with 404 and leaves that key working", async () => {
    const res = await call("DELETE", `/v1/api-keys/${h.b.apiKeyId}`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(`API key ${h.b.apiKeyId} not found`);
    expect((await call("GET", "/v1/api-keys", undefined, h.b.apiKey)).status).toBe(200);
  });

  it("refuses a key without a name", async () => {
    const res = await call("POST", "/v1/api-keys", { name: " " });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("name: must not be empty");
  });

  it("never shows a key again after its creation", () => {
    // The one answer that shows each new key is its creation; every other answer must not.
    const others = h.bodies.filter((b) => !newKeys.some((k) => b.includes(`"key":"${k}"`)));
    expect(others.length).toBe(h.bodies.length - newKeys.length);
    expect(findSecrets(others.join("\n"), [...newKeys, h.a.apiKey, h.b.apiKey])).toEqual([]);
  });
});

describe("GET /v1/credits", () => {
  it("says whether credits are on and the workspace's balance", async () => {
    expect((await call("GET", "/v1/credits")).body).toEqual({ enabled: false, balance: 0 });
  });
});
