import { RoomServiceClient, TokenVerifier } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ApiTestServer,
  startApiTestServer,
  TEST_KEY,
  TEST_SECRET,
} from "../livekit-dev-server/twirp/test-api-server.ts";
import type { ReferenceVoiceBotOptions } from "../reference-voice-bot/index.ts";
import type { BotCall } from "./bot-fleet.ts";
import { readJoinClaims } from "./livekit-tokens.ts";
import type { CallEnd } from "./room-watch.ts";
import {
  type ReferenceBotRunner,
  type ReferenceBotRunnerOptions,
  startReferenceBotRunner,
} from "./start-reference-bot-runner.ts";

let server: ApiTestServer;
let runner: ReferenceBotRunner | undefined;
let started: ReferenceVoiceBotOptions[];
let closed: string[];
let ended: { room: string; reason: CallEnd | "runner_closed" }[];
let calls: BotCall[];
let failJoin: boolean;
/** When set, fake bots wait for it before they join (a slow join). */
let joinGate: Promise<void> | undefined;
let rooms: RoomServiceClient;
const wsUrl = () => server.url.replace("http", "ws");

/**
 * A bot that "joins" through the dev server's signalling port without WebRTC, after checking the
 * runner gave it a token the server accepts: media is proved by the *.media.test.ts files.
 */
async function fakeStartBot(options: ReferenceVoiceBotOptions): Promise<{ close(): Promise<void> }> {
  started.push(options);
  await joinGate;
  if (failJoin) throw new Error("connection refused");
  const claims = await new TokenVerifier(TEST_KEY, TEST_SECRET).verify(options.token);
  const room = claims.video?.room ?? "";
  const session = server.join(room, claims.sub ?? "");
  return {
    async close() {
      closed.push(room);
      server.registry.depart(room, session);
    },
  };
}

async function start(extra: Partial<ReferenceBotRunnerOptions> = {}): Promise<ReferenceBotRunner> {
  runner = await startReferenceBotRunner({
    livekitUrl: wsUrl(),
    apiKey: TEST_KEY,
    apiSecret: TEST_SECRET,
    startBot: fakeStartBot,
    pollMs: 50,
    botOptionsFor: (call) => {
      calls.push(call);
      return { lines: ["Hello."] };
    },
    onBotEnded: (call, reason) => ended.push({ room: call.roomName, reason }),
    ...extra,
  });
  return runner;
}

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${runner?.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  server = await startApiTestServer();
  rooms = new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET);
  started = [];
  closed = [];
  ended = [];
  calls = [];
  failJoin = false;
  joinGate = undefined;
});
afterEach(async () => {
  await runner?.close();
  runner = undefined;
  await server.close();
});

describe("POST /api/create-and-join (RubricHQ client mode)", () => {
  it("creates a client-<8 hex> room, starts the bot in it and answers with a caller token for that room only", async () => {
    await start();
    const res = await post("/api/create-and-join", {
      rubric_run_id: "1234",
      metadata: { scenario_id: 8, scenario_name: "Payment", agent_id: 1 },
    });
    expect(res.status).toBe(200);
    const roomName = String(res.body.room_name);
    expect(roomName).toMatch(/^client-[0-9a-f]{8}$/);
    expect(res.body.room_url).toBe(wsUrl());
    const listed = await rooms.listRooms();
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
    expect((await rooms.listParticipants(roomName)).map((p) => p.identity)).toEqual(["reference-voice-bot"]);
    expect(started.map((o) => [o.url, o.latencyMs, o.lines])).toEqual([[wsUrl(), 600, ["Hello."]]]);
    expect(calls).toEqual([
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
    await start();
    const res = await post("/api/create-and-join", { rubric_run_id: 42 });
    expect(res.status).toBe(200);
    expect(calls[0]?.rubricRunId).toBe("42");
    expect(calls[0]?.metadata).toEqual({});
  });

  it("answers 502 and removes the room when the bot cannot join", async () => {
    await start();
    failJoin = true;
    const res = await post("/api/create-and-join", { rubric_run_id: "1" });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "bot_failed" });
    expect(String((res.body.error as { message: string }).message)).toContain("connection refused");
    expect(await rooms.listRooms()).toEqual([]);
  });
});

describe("POST /api/session (RubricHQ we-create-rooms endpoint)", () => {
  it("starts the bot with the token and URL it was given and answers started", async () => {
    await start();
    await rooms.createRoom({ name: "rubric-179-ab12cd34" });
    const botToken = await mint("pipecat-bot", "rubric-179-ab12cd34");
    const body = { room_name: "rubric-179-ab12cd34", bot_token: botToken, livekit_url: wsUrl() };
    const res = await post("/api/session", body);
    expect(res).toEqual({ status: 200, body: { status: "started", room_name: "rubric-179-ab12cd34" } });
    expect(started.map((o) => [o.url, o.token])).toEqual([[wsUrl(), botToken]]);
    expect(calls.map((c) => [c.mode, c.roomName, c.identity])).toEqual([
      ["session", "rubric-179-ab12cd34", "pipecat-bot"],
    ]);
    // A retried request does not start a second bot (it would take the first one's identity).
    expect((await post("/api/session", body)).status).toBe(200);
    expect(started).toHaveLength(1);
  });
});

describe("POST /token (Coval-style token endpoint)", () => {
  it("answers Coval's documented fields, a caller token for that room, and starts the bot there", async () => {
    await start();
    const res = await post("/token", {
      room_name: "5b1c7a2e-uuid",
      participant_name: "simulated_user",
      agent_variant: "sales",
      text_mode: true,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["room_name", "serverUrl", "token"]);
    expect(res.body).toMatchObject({ serverUrl: wsUrl(), room_name: "5b1c7a2e-uuid" });
    const claims = readJoinClaims(String(res.body.token));
    expect(claims).toEqual({ ok: true, claims: { identity: "simulated_user", room: "5b1c7a2e-uuid" } });
    expect((await rooms.listParticipants("5b1c7a2e-uuid")).map((p) => p.identity)).toEqual([
      "reference-voice-bot",
    ]);
    expect(calls).toEqual([
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
    await start({
      tokenResponse: { tokenField: "participantToken", serverUrlField: null, roomNameField: "roomName" },
    });
    const res = await post("/token", { room_name: "r1", participant_name: "simulated_user" });
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
    await start();
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request" });
    expect((res.body.error as { message: string }).message).toContain(field);
    expect(started).toEqual([]);
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("refuses a bot token for another room than room_name", async () => {
    await start();
    const res = await post("/api/session", {
      room_name: "rubric-1",
      bot_token: await mint("pipecat-bot", "rubric-2"),
      livekit_url: wsUrl(),
    });
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toBe(
      'bot_token grants room "rubric-2" but room_name is "rubric-1": send the token minted for that room',
    );
    expect(started).toEqual([]);
  });

  it("refuses to send the bot to a LiveKit server it was not configured for", async () => {
    await start();
    const res = await post("/api/session", {
      room_name: "rubric-1",
      bot_token: await mint("pipecat-bot", "rubric-1"),
      livekit_url: "wss://elsewhere.example:443",
    });
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toContain("add it to sessionServers");
    expect(started).toEqual([]);
  });

  it("answers 400 for JSON that does not parse, 415 for another content type, 413 past the size limit", async () => {
    await start({ maxBodyBytes: 1024 });
    expect((await post("/token", "{nope")).body.error).toMatchObject({ code: "invalid_json" });
    const form = await fetch(`${runner?.url}/token`, { method: "POST", body: "room_name=r" });
    expect(form.status).toBe(415);
    const big = await post("/token", { room_name: "r", participant_name: "u", pad: "x".repeat(2000) });
    expect([big.status, big.body.error]).toMatchObject([413, { code: "body_too_large" }]);
    expect(started).toEqual([]);
  });

  it("answers 404 for another path and 405 for another method", async () => {
    await start();
    expect((await post("/api/other", {})).status).toBe(404);
    expect((await fetch(`${runner?.url}/token`)).status).toBe(405);
  });

  it("answers 401 without the configured bearer token and 200 with it", async () => {
    await start({ requireBearer: "s3cret" });
    const body = { room_name: "r", participant_name: "simulated_user" };
    const none = await post("/token", body);
    expect([none.status, none.body.error]).toMatchObject([401, { code: "unauthorized" }]);
    expect((await post("/token", body, { authorization: "Bearer wrong" })).status).toBe(401);
    expect(started).toEqual([]);
    expect((await post("/token", body, { authorization: "Bearer s3cret" })).status).toBe(200);
  });

  it("answers 503 when it already runs its maximum of bots", async () => {
    await start({ maxBots: 1 });
    expect((await post("/token", { room_name: "a", participant_name: "u" })).status).toBe(200);
    const second = await post("/token", { room_name: "b", participant_name: "u" });
    expect([second.status, second.body.error]).toMatchObject([503, { code: "busy" }]);
  });
});

describe("when calls end", () => {
  it("stops the bot when the caller leaves the room", async () => {
    await start();
    await post("/token", { room_name: "leave", participant_name: "simulated_user" });
    server.join("leave", "simulated_user");
    await new Promise((r) => setTimeout(r, 150));
    expect(runner?.running.map((c) => c.roomName)).toEqual(["leave"]);
    await rooms.removeParticipant("leave", "simulated_user");
    await until(() => ended.length === 1, "the bot to stop");
    expect(ended).toEqual([{ room: "leave", reason: "caller_left" }]);
    expect(closed).toEqual(["leave"]);
    expect(runner?.running).toEqual([]);
  });

  it("stops the bot when the room is deleted", async () => {
    await start();
    const res = await post("/api/create-and-join", { rubric_run_id: "7" });
    await rooms.deleteRoom(String(res.body.room_name));
    await until(() => ended.length === 1, "the bot to stop");
    expect(ended).toEqual([{ room: res.body.room_name, reason: "room_gone" }]);
  });

  it("stops the bot after the longest call it allows", async () => {
    await start({ maxCallMs: 200 });
    await post("/token", { room_name: "long", participant_name: "simulated_user" });
    await until(() => ended.length === 1, "the bot to stop");
    expect(ended).toEqual([{ room: "long", reason: "max_call" }]);
  });

  it("starts one bot for a request retried while the first bot is still joining", async () => {
    await start();
    let open = () => {};
    joinGate = new Promise((resolve) => {
      open = resolve;
    });
    const body = { room_name: "retry", participant_name: "simulated_user" };
    const first = post("/token", body);
    await until(() => started.length === 1, "the first bot to start joining");
    const second = await post("/token", body);
    open();
    expect([(await first).status, second.status]).toEqual([200, 200]);
    expect(started).toHaveLength(1);
  });

  it("closes a bot that was still joining when the runner closed", async () => {
    await start();
    let open = () => {};
    joinGate = new Promise((resolve) => {
      open = resolve;
    });
    const pending = post("/token", { room_name: "late", participant_name: "u" });
    await until(() => started.length === 1, "the bot to start joining");
    const closing = runner?.close();
    runner = undefined;
    open();
    await Promise.all([pending.catch(() => undefined), closing]);
    expect(closed).toEqual(["late"]);
    expect(server.registry.listParticipants("late")).toEqual([]);
  });

  it("stops every bot on close()", async () => {
    await start();
    await post("/token", { room_name: "a", participant_name: "u" });
    await post("/token", { room_name: "b", participant_name: "u" });
    await runner?.close();
    runner = undefined;
    expect(ended.map((e) => [e.room, e.reason]).sort()).toEqual([
      ["a", "runner_closed"],
      ["b", "runner_closed"],
    ]);
    expect(closed.sort()).toEqual(["a", "b"]);
  });
});

function mint(identity: string, room: string): Promise<string> {
  return import("./livekit-tokens.ts").then((m) =>
    m.mintJoinToken({ apiKey: TEST_KEY, apiSecret: TEST_SECRET, identity, room }),
  );
}
