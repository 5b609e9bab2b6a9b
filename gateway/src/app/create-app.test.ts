import { AppError } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createRateLimiter } from "../security/rate-limiter.ts";
import { createApp } from "./create-app.ts";
import type { LogEntry } from "./http-errors.ts";
import { readJson } from "./json-body.ts";
import type { ApiKeyAuthenticator, Principal } from "./principal.ts";

const GOOD = "spar_AbCd1234_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const BAD = "spar_AbCd1234_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
const alice: Principal = { workspaceId: 1, userId: 1, apiKeyId: 7 };
/** A hand-written authenticator port: one known key. */
const auth: ApiKeyAuthenticator = {
  authenticate: async (key) => (key === GOOD ? alice : undefined),
};

function appWith(logs: LogEntry[] = []) {
  let n = 0;
  return createApp({
    auth,
    log: (e) => logs.push(e),
    newRequestId: () => `req_${++n}`,
    maxBodyBytes: 64,
    routes: (v1) => {
      v1.get("/whoami", (c) => c.json(c.get("principal")));
      v1.post("/echo", async (c) => c.json(await readJson(c, z.strictObject({ name: z.string().min(1) }))));
      v1.get("/boom", () => {
        throw new Error("db password is hunter2");
      });
      v1.get("/gone", () => {
        throw new AppError("not_found", "agent 9 not found");
      });
    },
    vendorRoutes: (publicV1) => publicV1.get("/test_runs/:id", (c) => c.json({ id: c.req.param("id") })),
  });
}

const withKey = (init: RequestInit = {}, key = GOOD): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), "X-API-Key": key },
});

describe("createApp", () => {
  it("answers a request with a key by its principal, with a request id header", async () => {
    const res = await appWith().request("/v1/whoami", withKey());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req_1");
    expect(await res.json()).toEqual(alice);
  });

  it("takes the key as Authorization: Bearer too, on the vendor path as well", async () => {
    const res = await appWith().request("/api/public/v1/test_runs/17", {
      headers: { Authorization: `Bearer ${GOOD}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "17" });
  });

  it("refuses a missing or unknown key with one 401 envelope", async () => {
    for (const init of [{}, withKey({}, BAD)]) {
      const res = await appWith().request("/v1/whoami", init);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: {
          code: "unauthorized",
          message: "a valid API key is required (X-API-Key or Authorization: Bearer)",
          request_id: "req_1",
        },
      });
    }
  });

  it("renders an AppError with its code and status", async () => {
    const res = await appWith().request("/v1/gone", withKey());
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found", message: "agent 9 not found" } });
  });

  it("hides an unexpected error's internals from the client and logs its cause with the request id", async () => {
    const logs: LogEntry[] = [];
    const res = await appWith(logs).request("/v1/boom", withKey());
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal", request_id: "req_1" } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: "error", requestId: "req_1" });
    expect((logs[0]?.cause as Error | undefined)?.message).toBe("db password is hunter2");
  });

  it("names every bad field of a body and refuses unknown ones", async () => {
    const post = (body: string) =>
      appWith().request(
        "/v1/echo",
        withKey({ method: "POST", body, headers: { "Content-Type": "application/json" } }),
      );
    const res = await post(JSON.stringify({ name: "", extra: 1 }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: "bad_request",
        message: "name: must not be empty; (root): unknown field `extra` (check the spelling)",
      },
    });
    const notJson = (await (await post("{not json")).json()) as { error: { message: string } };
    expect(notJson.error.message).toBe("the body must be a JSON object (Content-Type: application/json)");
  });

  it("answers a body over the limit with 413 in the envelope", async () => {
    const res = await appWith().request(
      "/v1/echo",
      withKey({
        method: "POST",
        body: JSON.stringify({ name: "x".repeat(100) }),
        headers: { "Content-Type": "application/json" },
      }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
    // The rest of the body is not read, so the connection cannot carry another request.
    expect(res.headers.get("connection")).toBe("close");
  });

  it("limits each API key's requests with 429 and Retry-After, another key unaffected", async () => {
    let nowMs = 0;
    const bob: Principal = { workspaceId: 2, userId: 2, apiKeyId: 8 };
    const app = createApp({
      auth: { authenticate: async (key) => (key === GOOD ? alice : key === BAD ? bob : undefined) },
      log: () => undefined,
      newRequestId: () => "req",
      maxBodyBytes: 64,
      rateLimiter: createRateLimiter({ ratePerSec: 1, burst: 2, now: () => nowMs }),
      routes: (v1) => v1.get("/whoami", (c) => c.json(c.get("principal"))),
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request("/v1/whoami", withKey())).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await app.request("/v1/whoami", withKey());
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect((await app.request("/v1/whoami", withKey({}, BAD))).status).toBe(200);
    nowMs = 1000;
    expect((await app.request("/v1/whoami", withKey())).status).toBe(200);
  });

  it("answers an unknown route with 404 in the envelope", async () => {
    const res = await appWith().request("/v2/nothing");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: "not_found", message: "no route GET /v2/nothing" },
    });
  });
});
