import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

let h: RouteHarness;
beforeAll(async () => {
  h = await startRouteHarness();
});
afterAll(async () => {
  await h.close();
});

describe("the gateway app over a real libSQL file", () => {
  it("authenticates a provisioned key and refuses it once revoked from storage", async () => {
    expect((await h.call("GET", "/v1/nothing-here")).status).toBe(404);
    expect(
      (await h.call("GET", "/v1/nothing-here", undefined, "spar_AAAAAAAA_" + "b".repeat(32))).status,
    ).toBe(401);
    const { revokeApiKey } = await import("../../db/repositories/workspaces.ts");
    expect(await revokeApiKey(h.services.db, h.b.workspaceId, h.b.apiKeyId, 0)).toBe(true);
    expect((await h.call("GET", "/v1/nothing-here", undefined, h.b.apiKey)).status).toBe(401);
  });
});
