/**
 * The gateway contract, part 1: authentication, the error envelope and the limits every route
 * shares (1 MiB bodies, the per-key rate limit), over HTTP against every runtime in TARGETS.
 */
import { findSecrets } from "@spar/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, expectError } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const OVER_1_MIB = JSON.stringify({ name: "x".repeat(1024 * 1024 + 1) });

describe.each(TARGETS)("gateway contract on $name: auth and errors", (target) => {
  let gw: RunningTarget;
  let client: ContractClient;
  beforeAll(async () => {
    gw = await target.start();
    client = contractClient(gw);
  });
  afterAll(async () => {
    await gw.close();
  });

  const unknownKey = `spar_AAAAAAAA_${"z".repeat(32)}`;

  it.each([
    ["GET", "/v1/api-keys"],
    ["POST", "/v1/test-runs"],
    ["GET", "/api/public/v1/test_runs/1"],
    ["POST", "/api/public/v1/test_runs"],
  ])("refuses %s %s with a missing, malformed or unknown key: 401 in the envelope", async (method, path) => {
    for (const headers of [{}, { "X-API-Key": "not-a-key" }, { Authorization: `Bearer ${unknownKey}` }]) {
      const res = await fetch(`${gw.baseUrl}${path}`, { method, headers });
      const text = await res.text();
      expectError(
        { status: res.status, headers: res.headers, text, body: JSON.parse(text) },
        401,
        "unauthorized",
      );
    }
  });

  it.each([
    ["GET", "/v1/agents/abc", "agent abc not found"],
    ["PATCH", "/v1/scenarios/0", "scenario 0 not found"],
    ["DELETE", "/v1/metrics/1.5", "metric 1.5 not found"],
    ["DELETE", "/v1/api-keys/-1", "API key -1 not found"],
    ["GET", "/v1/test-runs/abc", "test run abc not found"],
    ["GET", "/api/public/v1/test_runs/abc", "test run abc not found"],
    ["GET", "/v1/runs/99999999999999999999", "run 99999999999999999999 not found"],
    ["GET", "/v1/webhooks/x1", "webhook x1 not found"],
  ])("answers %s %s, a path id that can be no id, as a missing one: 404", async (method, path, message) => {
    expectError(
      await client.call(method, path, method === "PATCH" ? {} : undefined),
      404,
      "not_found",
      message,
    );
  });

  it("takes the key as X-API-Key or as Authorization: Bearer", async () => {
    const viaHeader = await client.call("GET", "/v1/credits");
    const viaBearer = await fetch(`${gw.baseUrl}/v1/credits`, {
      headers: { Authorization: `Bearer ${gw.apiKey}` },
    });
    expect([viaHeader.status, viaBearer.status]).toEqual([200, 200]);
  });

  it("refuses a revoked key from then on with 401", async () => {
    const made = await client.call("POST", "/v1/api-keys", { name: "short-lived" }, { showsSecret: true });
    expect((await client.call("GET", "/v1/credits", undefined, { key: made.body.key })).status).toBe(200);
    expect((await client.call("DELETE", `/v1/api-keys/${made.body.id}`)).status).toBe(204);
    expectError(
      await client.call("GET", "/v1/credits", undefined, { key: made.body.key }),
      401,
      "unauthorized",
    );
  });

  it("answers an unknown route with 404 in the envelope", async () => {
    expectError(
      await client.call("GET", "/v1/no-such-thing"),
      404,
      "not_found",
      "no route GET /v1/no-such-thing",
    );
    expectError(await client.call("GET", "/api/public/v1/nothing"), 404, "not_found");
  });

  it.each([
    ["POST", "/v1/agents"],
    ["PUT", "/v1/suites"],
    ["POST", "/api/public/v1/test_runs"],
  ])("refuses a body over 1 MiB on %s %s with 413 in the envelope, every time", async (method, path) => {
    // Repeated: a server that drops the socket instead of answering does so on some tries only.
    for (let i = 0; i < 5; i++) {
      const res = await client.call(method, path, undefined, {
        raw: OVER_1_MIB,
        headers: { "Content-Type": "application/json" },
      });
      expectError(res, 413, "payload_too_large");
    }
  });

  it("refuses a body that is not JSON with 400", async () => {
    const res = await client.call("POST", "/v1/metrics", undefined, {
      raw: "{name: metric",
      headers: { "Content-Type": "application/json" },
    });
    expectError(res, 400, "bad_request", /JSON/);
  });

  it("refuses an unknown field with 400 naming it", async () => {
    const res = await client.call("POST", "/v1/api-keys", { name: "k", colour: "red" });
    expectError(res, 400, "bad_request", /colour/);
  });

  it("rate-limits each key on its own: 429 with Retry-After, in the envelope, while another key passes", async () => {
    const made = await client.call("POST", "/v1/api-keys", { name: "burst" }, { showsSecret: true });
    // Far past any burst a CI job needs (the limit lets 100 through at once, then 20 a second).
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => client.call("GET", "/v1/credits", undefined, { key: made.body.key })),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 429 && a.status !== 200)).toEqual([]);
    const first = limited[0];
    if (first === undefined) throw new Error("no request was limited");
    expectError(first, 429, "rate_limited");
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await client.call("GET", "/v1/credits")).status).toBe(200);
  });

  it("hides an admin area it was not configured for: 404", async () => {
    const res = await client.call("POST", "/v1/admin/workspaces", { name: "w" });
    expectError(res, 404, "not_found");
  });

  it("never answers the workspace's key", () => {
    expect(findSecrets(client.answers.join("\n"), [gw.apiKey])).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), [gw.apiKey])).toEqual([]);
  });
});
