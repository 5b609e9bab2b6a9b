/**
 * The gateway contract, part 1: authentication and the error envelope, over HTTP against every
 * runtime in TARGETS. A route that answers anything but the envelope on failure fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

describe.each(TARGETS)("gateway contract on $name: auth and errors", (target) => {
  let gw: RunningTarget;
  beforeAll(async () => {
    gw = await target.start();
  });
  afterAll(async () => {
    await gw.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.baseUrl}${path}`, { headers });

  it("refuses a missing, malformed or unknown key with 401 in the envelope, with a request id", async () => {
    for (const headers of [
      {},
      { "X-API-Key": "not-a-key" },
      { Authorization: `Bearer spar_AAAAAAAA_${"z".repeat(32)}` },
    ]) {
      const res = await get("/v1/api-keys", headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; request_id: string } };
      expect(body.error.code).toBe("unauthorized");
      expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
    }
  });

  it("answers an unknown route with 404 in the envelope", async () => {
    const res = await get("/v1/no-such-thing", { "X-API-Key": gw.apiKey });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("refuses a body over 1 MiB with 413 in the envelope", async () => {
    const res = await fetch(`${gw.baseUrl}/v1/agents`, {
      method: "POST",
      headers: { "X-API-Key": gw.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(1024 * 1024 + 1) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });
});
