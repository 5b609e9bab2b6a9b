import { ParticipantInfo } from "@livekit/protocol";
import { AccessToken } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { decideJoin } from "./join-auth.ts";
import { RoomRegistry } from "./room-registry.ts";

const keys = new Map([["devkey", "join-auth-secret-0123456789abcdef"]]);

async function token(
  grant: Record<string, unknown>,
  opts: { identity?: string; key?: string; secret?: string; ttl?: string } = {},
) {
  const at = new AccessToken(opts.key ?? "devkey", opts.secret ?? "join-auth-secret-0123456789abcdef", {
    ...(opts.identity === "" ? {} : { identity: opts.identity ?? "alice" }),
    ttl: opts.ttl ?? "5m",
  });
  at.addGrant(grant);
  return at.toJwt();
}

function decide(jwt: string, registry = new RoomRegistry(), query = "", autoCreateRooms = true) {
  return decideJoin(
    { authorization: `Bearer ${jwt}`, query: new URLSearchParams(query) },
    { keys, registry, autoCreateRooms },
  );
}

describe("decideJoin", () => {
  it("admits a valid token for its room with the identity and auto-subscribe flag", async () => {
    const d = await decide(
      await token({ roomJoin: true, room: "r" }),
      new RoomRegistry(),
      "auto_subscribe=0",
    );
    expect(d.ok && [d.ticket.room, d.ticket.identity, d.ticket.autoSubscribe]).toEqual(["r", "alice", false]);
  });

  it("refuses wrong secret, unknown key, expiry, missing grant, missing room and wrong room", async () => {
    const cases = await Promise.all([
      decide(await token({ roomJoin: true, room: "r" }, { secret: "wrong-secret-0123456789abcdefgh" })),
      decide(await token({ roomJoin: true, room: "r" }, { key: "nokey" })),
      decide(await token({ roomJoin: true, room: "r" }, { ttl: "-1h" })),
      decide(await token({ roomList: true, room: "r" })),
      decide(await token({ roomJoin: true })),
      decide(await token({ roomJoin: true, room: "r" }), new RoomRegistry(), "room=other"),
    ]);
    const messages = cases.map((c) => (c.ok ? "ADMITTED" : `${c.status} ${c.message}`));
    expect(messages[0]).toMatch(/^401 access token rejected: signature verification failed/);
    expect(messages[1]).toBe(
      '401 unknown API key "nokey": mint the token with a key this server was started with',
    );
    expect(messages[2]).toMatch(/^401 access token rejected: "exp" claim timestamp check failed/);
    expect(messages[3]).toBe("401 token has no roomJoin grant: add `roomJoin: true` to the video grant");
    expect(messages[4]).toBe("401 token grants roomJoin but names no room: set `room` in the video grant");
    expect(messages[5]).toBe('401 token is for room "r", not "other"');
  });

  it("refuses a missing room when auto-create is off and a full room always", async () => {
    const registry = new RoomRegistry();
    const jwt = await token({ roomJoin: true, room: "r" });
    const missing = await decide(jwt, registry, "", false);
    expect(missing).toEqual({
      ok: false,
      status: 404,
      message: 'room "r" does not exist; create it first (auto-create is off)',
    });
    registry.createRoom({ name: "r", maxParticipants: 1 });
    const bob = { info: new ParticipantInfo({ identity: "bob" }), close: () => {}, roomUpdated: () => {} };
    registry.admit("r", bob, { autoCreate: false });
    expect(await decide(jwt, registry)).toEqual({
      ok: false,
      status: 403,
      message: 'room "r" is full: max_participants is 1',
    });
  });

  it("explains a missing or non-JWT token", async () => {
    const none = await decideJoin(
      { authorization: undefined, query: new URLSearchParams() },
      { keys, registry: new RoomRegistry(), autoCreateRooms: true },
    );
    expect(none).toEqual({
      ok: false,
      status: 401,
      message: "no access token: send `Authorization: Bearer <JWT>`",
    });
    expect(await decide("abc")).toEqual({
      ok: false,
      status: 401,
      message: "access token is not a JWT with an `iss` (API key) claim",
    });
  });
});
