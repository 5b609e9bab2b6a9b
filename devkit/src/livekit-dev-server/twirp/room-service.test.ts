import { DisconnectReason } from "@livekit/protocol";
import { AccessToken, RoomServiceClient, TwirpError } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApiTestServer, startApiTestServer, TEST_KEY, TEST_SECRET } from "./test-api-server.ts";

let server: ApiTestServer;
let client: RoomServiceClient;

beforeEach(async () => {
  server = await startApiTestServer();
  client = new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET);
});
afterEach(async () => {
  await server.close();
});

async function twirpErrorOf(p: Promise<unknown>): Promise<TwirpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TwirpError)) throw new Error(`expected a TwirpError, got ${String(err)}`);
  return err;
}

describe("RoomService through livekit-server-sdk's RoomServiceClient", () => {
  it("creates a room with its settings and returns the same room when created again", async () => {
    const room = await client.createRoom({
      name: "support-call",
      emptyTimeout: 42,
      departureTimeout: 7,
      maxParticipants: 3,
      metadata: '{"scenario":"refund"}',
    });
    expect(room.name).toBe("support-call");
    expect(room.sid).toMatch(/^RM_/);
    expect(room.emptyTimeout).toBe(42);
    expect(room.departureTimeout).toBe(7);
    expect(room.maxParticipants).toBe(3);
    expect(room.metadata).toBe('{"scenario":"refund"}');
    const again = await client.createRoom({ name: "support-call", metadata: "ignored" });
    expect(again.sid).toBe(room.sid);
    expect(again.metadata).toBe('{"scenario":"refund"}');
  });

  it("lists every room, or only the named ones", async () => {
    await client.createRoom({ name: "a" });
    await client.createRoom({ name: "b" });
    await client.createRoom({ name: "c" });
    expect((await client.listRooms()).map((r) => r.name).sort()).toEqual(["a", "b", "c"]);
    expect((await client.listRooms(["b", "zzz"])).map((r) => r.name)).toEqual(["b"]);
  });

  it("deletes a room, disconnecting its participants, and reports not_found for a missing one", async () => {
    await client.createRoom({ name: "doomed" });
    const caller = server.join("doomed", "caller");
    await client.deleteRoom("doomed");
    expect(caller.closedWith).toBe(DisconnectReason.ROOM_DELETED);
    expect(await client.listRooms()).toEqual([]);
    const err = await twirpErrorOf(client.deleteRoom("doomed"));
    expect(err.status).toBe(404);
    expect(err.code).toBe("not_found");
  });

  it("lists, gets and removes participants", async () => {
    await client.createRoom({ name: "call" });
    server.join("call", "caller");
    const bot = server.join("call", "bot");
    expect((await client.listParticipants("call")).map((p) => p.identity).sort()).toEqual(["bot", "caller"]);
    const got = await client.getParticipant("call", "bot");
    expect(got.identity).toBe("bot");
    expect(got.sid).toBe("PA_bot");
    await client.removeParticipant("call", "bot");
    expect(bot.closedWith).toBe(DisconnectReason.PARTICIPANT_REMOVED);
    expect((await client.listParticipants("call")).map((p) => p.identity)).toEqual(["caller"]);
    expect(await client.listParticipants("no-such-room")).toEqual([]);
  });

  it("reports not_found for a participant that is not in the room", async () => {
    await client.createRoom({ name: "call" });
    const get = await twirpErrorOf(client.getParticipant("call", "ghost"));
    expect([get.status, get.code]).toEqual([404, "not_found"]);
    const remove = await twirpErrorOf(client.removeParticipant("call", "ghost"));
    expect([remove.status, remove.code]).toEqual([404, "not_found"]);
  });

  it("updates room metadata, and reports not_found for a missing room", async () => {
    await client.createRoom({ name: "call" });
    const updated = await client.updateRoomMetadata("call", "v2");
    expect(updated.metadata).toBe("v2");
    expect((await client.listRooms(["call"]))[0]?.metadata).toBe("v2");
    const err = await twirpErrorOf(client.updateRoomMetadata("gone", "x"));
    expect([err.status, err.code]).toEqual([404, "not_found"]);
  });

  it("refuses oversized metadata as invalid_argument", async () => {
    const err = await twirpErrorOf(client.createRoom({ name: "big", metadata: "x".repeat(70 * 1024) }));
    expect([err.status, err.code]).toEqual([400, "invalid_argument"]);
    expect(err.message).toMatch(/metadata must be at most/);
  });
});

describe("RoomService grants", () => {
  function clientWith(
    grant: Parameters<AccessToken["addGrant"]>[0],
  ): (method: string, body: object) => Promise<Response> {
    return async (method, body) => {
      const token = new AccessToken(TEST_KEY, TEST_SECRET, { ttl: 60, identity: "tester" });
      token.addGrant(grant);
      return fetch(`${server.url}/twirp/livekit.RoomService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await token.toJwt()}` },
        body: JSON.stringify(body),
      });
    };
  }

  it("needs roomCreate to create or delete rooms and roomList to list them", async () => {
    const joinOnly = clientWith({ roomJoin: true, room: "r" });
    for (const [method, body] of [
      ["CreateRoom", { name: "r" }],
      ["DeleteRoom", { room: "r" }],
      ["ListRooms", {}],
    ] as const) {
      const res = await joinOnly(method, body);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/json");
      const json: unknown = await res.json();
      expect(json).toMatchObject({ code: "permission_denied" });
    }
    const listOnly = clientWith({ roomList: true });
    expect((await listOnly("ListRooms", {})).status).toBe(200);
    expect((await listOnly("CreateRoom", { name: "r" })).status).toBe(403);
  });

  it("needs roomAdmin for the same room to manage participants and metadata", async () => {
    await client.createRoom({ name: "mine" });
    const otherRoomAdmin = clientWith({ roomAdmin: true, room: "theirs" });
    const res = await otherRoomAdmin("ListParticipants", { room: "mine" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "permission_denied" });
    const noRoom = clientWith({ roomAdmin: true });
    expect((await noRoom("UpdateRoomMetadata", { room: "mine", metadata: "x" })).status).toBe(403);
    const admin = clientWith({ roomAdmin: true, room: "mine" });
    expect((await admin("UpdateRoomMetadata", { room: "mine", metadata: "x" })).status).toBe(200);
  });

  it("refuses a client signing with the wrong secret as unauthenticated", async () => {
    const wrong = new RoomServiceClient(server.url, TEST_KEY, "not-the-secret-not-the-secret-000");
    const err = await twirpErrorOf(wrong.listRooms());
    expect([err.status, err.code]).toEqual([401, "unauthenticated"]);
    const unknownKey = new RoomServiceClient(server.url, "other-key", TEST_SECRET);
    const err2 = await twirpErrorOf(unknownKey.listRooms());
    expect([err2.status, err2.code]).toEqual([401, "unauthenticated"]);
    expect(err2.message).toMatch(/unknown API key/);
  });
});
