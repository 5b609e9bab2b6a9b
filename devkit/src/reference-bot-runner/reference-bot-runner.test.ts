import { TokenVerifier } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_KEY, TEST_SECRET } from "../livekit-dev-server/twirp/test-api-server.ts";
import { readJoinClaims } from "./livekit-tokens.ts";
import { RunnerHarness } from "./testing/runner-harness.ts";

let h: RunnerHarness;
beforeEach(async () => {
  h = await RunnerHarness.create();
});
afterEach(async () => {
  await h.close();
});

describe("POST /api/create-and-join (RubricHQ client mode)", () => {
  it("creates a client-<8 hex> room, starts the bot in it and answers with a caller token for that room only", async () => {
    await h.start();
    const res = await h.post("/api/create-and-join", {
      rubric_run_id: "1234",
      metadata: { scenario_id: 8, scenario_name: "Payment", agent_id: 1 },
    });
    expect(res.status).toBe(200);
    const roomName = String(res.body.room_name);
    expect(roomName).toMatch(/^client-[0-9a-f]{8}$/);
    expect(res.body.room_url).toBe(h.wsUrl);
    const listed = await h.rooms.listRooms();
    expect(listed.map((r) => r.name)).toEqual([roomName]);
    expect(JSON.parse(listed[0]?.metadata ?? "")).toEqual({
      rubric_run_id: "1234",
      scenario_id: 8,
      scenario_name: "Payment",
      agent_id: 1,
    });
    expect(listed[0]?.emptyTimeout).toBe(300);
    const caller = await new TokenVerifier(TEST_KEY, TEST_SECRET).verify(String(res.body.token));
    expect(caller.sub).toBe("rubric-test-caller");
    expect(caller.video).toEqual({
      roomJoin: true,
      room: roomName,
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
    });
    expect((caller.exp ?? 0) - (caller.nbf ?? 0)).toBe(600);
    // The bot is already in the room when the answer arrives.
    expect((await h.rooms.listParticipants(roomName)).map((p) => p.identity)).toEqual([
      "reference-voice-bot",
    ]);
    expect(h.started.map((o) => [o.url, o.latencyMs, o.lines])).toEqual([[h.wsUrl, 600, ["Hello."]]]);
    expect(h.calls).toEqual([
      {
        mode: "create_and_join",
        roomName,
        identity: "reference-voice-bot",
        rubricRunId: "1234",
        textMode: false,
        metadata: { scenario_id: 8, scenario_name: "Payment", agent_id: 1 },
      },
    ]);
  });

  it("takes a numeric run id and keeps it as text", async () => {
    await h.start();
    const res = await h.post("/api/create-and-join", { rubric_run_id: 42 });
    expect(res.status).toBe(200);
    expect(h.calls[0]?.rubricRunId).toBe("42");
    expect(h.calls[0]?.metadata).toEqual({});
  });

  it("answers 502 and removes the room when the bot cannot join", async () => {
    await h.start();
    h.failJoin = true;
    const res = await h.post("/api/create-and-join", { rubric_run_id: "1" });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "bot_failed" });
    expect(String((res.body.error as { message: string }).message)).toContain("connection refused");
    expect(await h.rooms.listRooms()).toEqual([]);
  });
});

describe("POST /api/session (RubricHQ we-create-rooms endpoint)", () => {
  it("starts the bot with the token and URL it was given and answers started", async () => {
    await h.start();
    await h.rooms.createRoom({ name: "rubric-179-ab12cd34" });
    const botToken = await h.mint("pipecat-bot", "rubric-179-ab12cd34");
    const body = { room_name: "rubric-179-ab12cd34", bot_token: botToken, livekit_url: h.wsUrl };
    const res = await h.post("/api/session", body);
    expect(res).toEqual({ status: 200, body: { status: "started", room_name: "rubric-179-ab12cd34" } });
    expect(h.started.map((o) => [o.url, o.token])).toEqual([[h.wsUrl, botToken]]);
    expect(h.calls.map((c) => [c.mode, c.roomName, c.identity])).toEqual([
      ["session", "rubric-179-ab12cd34", "pipecat-bot"],
    ]);
    // A retried request does not start a second bot (it would take the first one's identity).
    expect((await h.post("/api/session", body)).status).toBe(200);
    expect(h.started).toHaveLength(1);
  });
});

describe("POST /token (Coval-style token endpoint)", () => {
  it("answers Coval's documented fields, a caller token for that room, and starts the bot there", async () => {
    await h.start();
    const res = await h.post("/token", {
      room_name: "5b1c7a2e-uuid",
      participant_name: "simulated_user",
      agent_variant: "sales",
      text_mode: true,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["room_name", "serverUrl", "token"]);
    expect(res.body).toMatchObject({ serverUrl: h.wsUrl, room_name: "5b1c7a2e-uuid" });
    const claims = readJoinClaims(String(res.body.token));
    expect(claims).toEqual({ ok: true, claims: { identity: "simulated_user", room: "5b1c7a2e-uuid" } });
    expect((await h.rooms.listParticipants("5b1c7a2e-uuid")).map((p) => p.identity)).toEqual([
      "reference-voice-bot",
    ]);
    expect(h.calls).toEqual([
      {
        mode: "token",
        roomName: "5b1c7a2e-uuid",
        identity: "reference-voice-bot",
        rubricRunId: undefined,
        textMode: true,
        metadata: { agent_variant: "sales", text_mode: true },
      },
    ]);
  });

  it("names its fields as configured, leaving out the ones set to null", async () => {
    await h.start({
      tokenResponse: { tokenField: "participantToken", serverUrlField: null, roomNameField: "roomName" },
    });
    const res = await h.post("/token", { room_name: "r1", participant_name: "simulated_user" });
    expect(Object.keys(res.body).sort()).toEqual(["participantToken", "roomName"]);
    expect(res.body.roomName).toBe("r1");
  });
});

describe("bad requests", () => {
  const cases: [string, string, unknown, string][] = [
    ["/api/create-and-join", "no run id", { metadata: {} }, "rubric_run_id"],
    ["/api/create-and-join", "metadata not an object", { rubric_run_id: "1", metadata: "x" }, "metadata"],
    ["/api/session", "no bot token", { room_name: "r", livekit_url: "ws://127.0.0.1:1" }, "bot_token"],
    [
      "/api/session",
      "a bot token that is no JWT",
      { room_name: "r", bot_token: "abc", livekit_url: "ws://x" },
      "bot_token is not a JWT",
    ],
    [
      "/api/session",
      "a livekit_url that is no URL",
      { room_name: "r", bot_token: "a.b.c", livekit_url: "nope" },
      "livekit_url",
    ],
    ["/token", "no participant name", { room_name: "r" }, "participant_name"],
    ["/token", "a room name with a newline", { room_name: "a\nb", participant_name: "u" }, "room_name"],
    [
      "/token",
      "the bot's own identity",
      { room_name: "r", participant_name: "reference-voice-bot" },
      "participant_name",
    ],
  ];
  it.each(cases)("%s with %s answers 400 naming the field", async (path, _what, body, field) => {
    await h.start();
    const res = await h.post(path, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request" });
    expect((res.body.error as { message: string }).message).toContain(field);
    expect(h.started).toEqual([]);
    expect(await h.rooms.listRooms()).toEqual([]);
  });

  it("refuses a bot token for another room than room_name", async () => {
    await h.start();
    const res = await h.post("/api/session", {
      room_name: "rubric-1",
      bot_token: await h.mint("pipecat-bot", "rubric-2"),
      livekit_url: h.wsUrl,
    });
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toBe(
      'bot_token grants room "rubric-2" but room_name is "rubric-1": send the token minted for that room',
    );
    expect(h.started).toEqual([]);
  });

  it("refuses to send the bot to a LiveKit server it was not configured for", async () => {
    await h.start();
    const res = await h.post("/api/session", {
      room_name: "rubric-1",
      bot_token: await h.mint("pipecat-bot", "rubric-1"),
      livekit_url: "wss://elsewhere.example:443",
    });
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toContain("add it to sessionServers");
    expect(h.started).toEqual([]);
  });

  it("answers 400 for JSON that does not parse, 415 for another content type, 413 past the size limit", async () => {
    await h.start({ maxBodyBytes: 1024 });
    expect((await h.post("/token", "{nope")).body.error).toMatchObject({ code: "invalid_json" });
    const form = await fetch(`${h.runner?.url}/token`, { method: "POST", body: "room_name=r" });
    expect(form.status).toBe(415);
    const big = await h.post("/token", { room_name: "r", participant_name: "u", pad: "x".repeat(2000) });
    expect([big.status, big.body.error]).toMatchObject([413, { code: "body_too_large" }]);
    expect(h.started).toEqual([]);
  });

  it("answers 404 for another path and 405 for another method", async () => {
    await h.start();
    expect((await h.post("/api/other", {})).status).toBe(404);
    expect((await fetch(`${h.runner?.url}/token`)).status).toBe(405);
  });

  it("answers 401 without the configured bearer token and 200 with it", async () => {
    await h.start({ requireBearer: "s3cret" });
    const body = { room_name: "r", participant_name: "simulated_user" };
    const none = await h.post("/token", body);
    expect([none.status, none.body.error]).toMatchObject([401, { code: "unauthorized" }]);
    expect((await h.post("/token", body, { authorization: "Bearer wrong" })).status).toBe(401);
    expect(h.started).toEqual([]);
    expect((await h.post("/token", body, { authorization: "Bearer s3cret" })).status).toBe(200);
  });

  it("answers 503 when it already runs its maximum of bots", async () => {
    await h.start({ maxBots: 1 });
    expect((await h.post("/token", { room_name: "a", participant_name: "u" })).status).toBe(200);
    const second = await h.post("/token", { room_name: "b", participant_name: "u" });
    expect([second.status, second.body.error]).toMatchObject([503, { code: "busy" }]);
  });
});
