import { RoomAgentDispatch } from "@livekit/protocol";
import { AgentDispatchClient, RoomServiceClient, TwirpError } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApiTestServer, startApiTestServer, TEST_KEY, TEST_SECRET } from "./test-api-server.ts";

let server: ApiTestServer;
let dispatch: AgentDispatchClient;

beforeEach(async () => {
  server = await startApiTestServer();
  dispatch = new AgentDispatchClient(server.url, TEST_KEY, TEST_SECRET);
});
afterEach(async () => {
  await server.close();
});

describe("AgentDispatchService through livekit-server-sdk's AgentDispatchClient", () => {
  it("creates a dispatch with its metadata, creating the room if needed", async () => {
    const created = await dispatch.createDispatch("call-1", "support-bot", {
      metadata: '{"persona":"angry"}',
    });
    expect(created.id).toMatch(/^AD_/);
    expect(created.agentName).toBe("support-bot");
    expect(created.room).toBe("call-1");
    expect(created.metadata).toBe('{"persona":"angry"}');
    expect(server.registry.getRoom("call-1")?.name).toBe("call-1");
  });

  it("lists and gets dispatches of a room", async () => {
    const a = await dispatch.createDispatch("call-1", "bot-a");
    const b = await dispatch.createDispatch("call-1", "bot-b");
    await dispatch.createDispatch("call-2", "bot-c");
    const listed = await dispatch.listDispatch("call-1");
    expect(listed.map((d) => d.id).sort()).toEqual([a.id, b.id].sort());
    // With no worker connected the job is still pending, and listed as such.
    expect(listed[0]?.state?.jobs.length).toBe(1);
    expect((await dispatch.getDispatch(b.id, "call-1"))?.agentName).toBe("bot-b");
    expect(await dispatch.getDispatch("AD_nope", "call-1")).toBeUndefined();
  });

  it("deletes a dispatch, and reports not_found for an unknown one", async () => {
    const a = await dispatch.createDispatch("call-1", "bot-a");
    await dispatch.deleteDispatch(a.id, "call-1");
    expect(await dispatch.listDispatch("call-1")).toEqual([]);
    const err = await dispatch.deleteDispatch(a.id, "call-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwirpError);
    expect(err).toMatchObject({ status: 404, code: "not_found" });
  });

  it("forgets a room's dispatches when the room is deleted", async () => {
    await dispatch.createDispatch("call-1", "bot-a");
    await new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET).deleteRoom("call-1");
    expect(await dispatch.listDispatch("call-1")).toEqual([]);
  });

  it("creates the dispatches listed in CreateRoom's agents", async () => {
    const rooms = new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET);
    await rooms.createRoom({
      name: "with-agents",
      agents: [new RoomAgentDispatch({ agentName: "greeter", metadata: "m" })],
    });
    const listed = await dispatch.listDispatch("with-agents");
    expect(listed.map((d) => [d.agentName, d.metadata])).toEqual([["greeter", "m"]]);
  });

  it("refuses a token whose roomAdmin grant is for another room", async () => {
    // The SDK grants roomAdmin for the room it is asked about; ask with a hand-made token instead.
    const { AccessToken } = await import("livekit-server-sdk");
    const at = new AccessToken(TEST_KEY, TEST_SECRET, { ttl: 60 });
    at.addGrant({ roomAdmin: true, room: "other" });
    const res = await fetch(`${server.url}/twirp/livekit.AgentDispatchService/CreateDispatch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await at.toJwt()}` },
      body: JSON.stringify({ room: "call-1", agentName: "x" }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "permission_denied" });
    expect(server.registry.getRoom("call-1")).toBeUndefined();
  });
});
