import { type LiveKitDevServer, startLiveKitDevServer } from "@spar/devkit/livekit-dev-server";
import { AgentDispatchClient, RoomServiceClient, TokenVerifier } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { json, type LoopbackEndpoint, startLoopbackEndpoint } from "./loopback-endpoint.fixture.ts";
import { enterRoom, roomEntryPorts } from "./room-entry.ts";
import type { RoomEntryContext, RoomEntryPorts } from "./room-entry-types.ts";

const KEY = "rubric-key";
const SECRET = "rubric-secret-that-is-long-enough-0123456789";
const ROOM = "rubric-run-12-0a1b2c3d";
const context: RoomEntryContext = { runId: "run-12", scenario: { id: "s", name: "S" }, agentId: "a" };

let lk: LiveKitDevServer;
let rooms: RoomServiceClient;
let endpoint: LoopbackEndpoint | undefined;
let logged: string[];

beforeEach(async () => {
  lk = await startLiveKitDevServer({ keys: new Map([[KEY, SECRET]]) });
  rooms = new RoomServiceClient(lk.httpUrl, KEY, SECRET);
  logged = [];
});
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
  await lk.close();
});

function ports(overrides: Partial<RoomEntryPorts> = {}): RoomEntryPorts {
  return roomEntryPorts({
    limits: { endpointMs: 2_000, roomCreateMs: 2_000 },
    randomHex: (bytes) => "0a1b2c3d".slice(0, bytes * 2),
    log: (line) => logged.push(line),
    ...overrides,
  });
}

const credentials = (secret = SECRET) => ({ livekit_url: lk.url, api_key: KEY, api_secret: secret });
const dispatch = (agent_name: string, room_options: Record<string, unknown> = {}) => ({
  mode: "rubric_dispatch" as const,
  agent_name,
  ...credentials(),
  room_options,
});

describe("rubric + dispatch (the platform creates the room and dispatches the agent)", () => {
  it("creates rubric-<run id>-<8 hex> with the room options and dispatches the agent with the run id", async () => {
    const entry = await enterRoom(
      dispatch("support-bot", {
        empty_timeout: 120,
        departure_timeout: 7,
        max_participants: 3,
        metadata: '{"t":1}',
      }),
      context,
      ports(),
    );
    if (!entry.ok) throw new Error(entry.message);
    expect([entry.url, entry.roomName]).toEqual([lk.url, ROOM]);
    const [room] = await rooms.listRooms([ROOM]);
    expect(room).toMatchObject({
      name: ROOM,
      emptyTimeout: 120,
      departureTimeout: 7,
      maxParticipants: 3,
      metadata: '{"t":1}',
    });
    const dispatches = await new AgentDispatchClient(lk.httpUrl, KEY, SECRET).listDispatch(ROOM);
    expect(dispatches.map((d) => [d.agentName, d.metadata])).toEqual([
      ["support-bot", '{"rubric_run_id":"run-12"}'],
    ]);
    const grant = await new TokenVerifier(KEY, SECRET).verify(entry.token);
    expect(grant.sub).toBe("rubric-test-caller");
    expect(grant.video).toMatchObject({ room: ROOM, roomJoin: true, canPublish: true, canSubscribe: true });
  });

  it("adds text_mode: true to the dispatch metadata of a chat run", async () => {
    await enterRoom(dispatch("support-bot"), { ...context, chat: true }, ports());
    const [d] = await new AgentDispatchClient(lk.httpUrl, KEY, SECRET).listDispatch(ROOM);
    expect(d?.metadata).toBe('{"rubric_run_id":"run-12","text_mode":true}');
  });

  it("makes no dispatch call for a blank agent_name (automatic dispatch)", async () => {
    const entry = await enterRoom(dispatch(""), context, ports());
    expect(entry.ok).toBe(true);
    expect(await new AgentDispatchClient(lk.httpUrl, KEY, SECRET).listDispatch(ROOM)).toEqual([]);
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([ROOM]);
  });

  it("sends every forwarded room option to CreateRoom, the platform's room name winning", async () => {
    const bodies: unknown[] = [];
    const recording: typeof fetch = async (input, init) => {
      if (String(input).endsWith("/CreateRoom")) bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    await enterRoom(
      dispatch("", {
        empty_timeout: 300,
        max_participants: 10,
        min_playout_delay: 100,
        max_playout_delay: 400,
        sync_streams: true,
        room_preset: "voice",
        name: "theirs",
      }),
      context,
      ports({ fetch: recording }),
    );
    expect(bodies).toEqual([
      {
        emptyTimeout: 300,
        maxParticipants: 10,
        minPlayoutDelay: 100,
        maxPlayoutDelay: 400,
        syncStreams: true,
        roomPreset: "voice",
        name: ROOM,
      },
    ]);
  });

  it("fails room_create_failed with LiveKit's answer when the credentials are wrong, never quoting the secret", async () => {
    const wrong = "wrong-secret-that-is-long-enough-0123456789";
    const entry = await enterRoom({ ...dispatch("bot"), api_secret: wrong }, context, ports());
    expect(entry).toMatchObject({ ok: false, reason: "room_create_failed" });
    const message = entry.ok ? "" : entry.message;
    expect(message).toMatch(
      /^could not create the room: CreateRoom: LiveKit answered HTTP 401 \(unauthenticated: .+\)$/,
    );
    expect(message).not.toContain(wrong);
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("fails room_create_failed when LiveKit does not answer within the limit", async () => {
    endpoint = await startLoopbackEndpoint(() => new Promise<void>(() => undefined));
    const entry = await enterRoom(
      { ...dispatch("bot"), livekit_url: endpoint.url.replace("http", "ws") },
      context,
      ports({ limits: { endpointMs: 300, roomCreateMs: 300 } }),
    );
    expect(entry).toEqual({
      ok: false,
      reason: "room_create_failed",
      message: "could not create the room: CreateRoom: LiveKit did not answer within 0.3 s",
    });
  });

  it("abandons room creation when the run is stopped", async () => {
    endpoint = await startLoopbackEndpoint(() => new Promise<void>(() => undefined));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const entry = await enterRoom(
      { ...dispatch("bot"), livekit_url: endpoint.url.replace("http", "ws") },
      context,
      ports({ signal: stop.signal }),
    );
    expect(entry).toEqual({
      ok: false,
      reason: "room_create_failed",
      message: "could not create the room: CreateRoom: not awaited, the run was stopped",
    });
  });

  it("deletes the room it created on release", async () => {
    const entry = await enterRoom(dispatch("bot"), context, ports());
    if (!entry.ok) throw new Error(entry.message);
    await entry.release?.();
    expect(await rooms.listRooms()).toEqual([]);
    // A second release finds no room: logged, not thrown.
    await entry.release?.();
    expect(logged).toEqual([
      expect.stringMatching(
        /^room entry: could not delete room rubric-run-12-0a1b2c3d: DeleteRoom: LiveKit answered HTTP 404/,
      ),
    ]);
  });
});

describe("rubric + endpoint (the platform creates the room and calls the bot's session endpoint)", () => {
  const viaEndpoint = (url: string) => ({
    mode: "rubric_endpoint" as const,
    web_call_url: url,
    ...credentials(),
  });

  it("posts room_name, a pipecat-bot token for that room and livekit_url to {web_call_url}/api/session", async () => {
    endpoint = await startLoopbackEndpoint(json({ status: "started", room_name: ROOM }));
    const entry = await enterRoom(viaEndpoint(`${endpoint.url}/`), context, ports());
    expect(entry).toMatchObject({ ok: true, url: lk.url, roomName: ROOM });
    const request = endpoint.requests[0];
    expect(request?.path).toBe("/api/session");
    const body = request?.body as { room_name: string; bot_token: string; livekit_url: string };
    expect([body.room_name, body.livekit_url]).toEqual([ROOM, lk.url]);
    const grant = await new TokenVerifier(KEY, SECRET).verify(body.bot_token);
    expect(grant.sub).toBe("pipecat-bot");
    expect(grant.video).toMatchObject({ room: ROOM, roomJoin: true, canPublish: true, canSubscribe: true });
    expect((await rooms.listRooms()).map((r) => [r.name, r.emptyTimeout, r.maxParticipants])).toEqual([
      [ROOM, 300, 10],
    ]);
  });

  it("fails invalid_bot_runner_response naming the status field, and deletes the room", async () => {
    endpoint = await startLoopbackEndpoint(json({ status: "queued", room_name: ROOM }));
    const entry = await enterRoom(viaEndpoint(endpoint.url), context, ports());
    expect(entry).toEqual({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: `the session endpoint ${endpoint.url}/api/session did not confirm the session: field "status" is "queued", expected "started" (expected {"status": "started", "room_name"})`,
    });
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("fails bot_runner_error with the status and body start when the session endpoint refuses", async () => {
    endpoint = await startLoopbackEndpoint(json({ detail: "no capacity" }, 500));
    const entry = await enterRoom(viaEndpoint(endpoint.url), context, ports());
    expect(entry).toEqual({
      ok: false,
      reason: "bot_runner_error",
      message: `the session endpoint ${endpoint.url}/api/session answered HTTP 500: {"detail":"no capacity"}`,
    });
    expect(await rooms.listRooms()).toEqual([]);
  });
});
