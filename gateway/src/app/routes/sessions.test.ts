/**
 * `POST /v1/sessions/livekit` and `DELETE /v1/sessions/livekit/{room_name}` against the real app
 * over a libSQL file and the repo's LiveKit dev server on 127.0.0.1 (its Twirp API, spoken to by
 * livekit-server-sdk), with a bot session endpoint on loopback. Each step's error is checked in
 * the order the spec gives them, and every failure is checked to leave nothing behind.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type LiveKitDevServer, startLiveKitDevServer } from "@spar/devkit/livekit-dev-server";
import { AgentDispatchClient, RoomServiceClient, TokenVerifier } from "livekit-server-sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addCredits, getCreditBalance } from "../../db/repositories/credits.ts";
import { getLivekitSession } from "../../db/repositories/livekit-sessions.ts";
import { checkUrlAtConnect } from "../../security/outbound-url.ts";
import { LivekitAdminError, type LivekitRoomAdmin, sdkLivekitRoomAdmin } from "../../voice/livekit-admin.ts";
import { httpSessionEndpointCaller } from "../../voice/session-endpoint.ts";
import type { StartedSession } from "../../voice/session-ports.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const LK_KEY = "sessions-test-key";
const LK_SECRET = "sessions-test-secret-that-is-long-enough-0123";
// A whole second near the wall clock: the SDK's TokenVerifier checks exp and nbf against it.
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;

let lk: LiveKitDevServer;
let rooms: RoomServiceClient;
let dispatches: AgentDispatchClient;
let endpoint: Server;
let endpointUrl: string;
const endpointCalls: { path: string; body: string }[] = [];
let endpointAnswer: (body: { room_name: string }) => { status: number; json: unknown };

beforeAll(async () => {
  lk = await startLiveKitDevServer({ keys: new Map([[LK_KEY, LK_SECRET]]), autoCreateRooms: false });
  rooms = new RoomServiceClient(lk.httpUrl, LK_KEY, LK_SECRET);
  dispatches = new AgentDispatchClient(lk.httpUrl, LK_KEY, LK_SECRET);
  endpoint = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      endpointCalls.push({ path: req.url ?? "", body });
      const answer = endpointAnswer(JSON.parse(body) as { room_name: string });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/bot`;
});
afterAll(async () => {
  await lk.close();
  endpoint.closeAllConnections();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
});

let h: RouteHarness;
let started: StartedSession[];

async function harness(
  o: {
    credits?: boolean;
    policy?: "public" | "loopback";
    rooms?: (real: LivekitRoomAdmin) => LivekitRoomAdmin;
  } = {},
) {
  started = [];
  const check = async (url: string) => {
    const result = await checkUrlAtConnect(url, o.policy ?? "loopback", { resolve: async () => [] });
    return result.ok ? undefined : result.message;
  };
  return startRouteHarness({
    now: () => NOW_MS,
    credits: { enabled: o.credits ?? false, textRunCost: 1, voiceRunCost: 10 },
    livekit: {
      rooms: (o.rooms ?? ((real) => real))(sdkLivekitRoomAdmin(check)),
      callSessionEndpoint: httpSessionEndpointCaller({ fetch, checkUrl: check }),
      onSessionStarted: async (session) => {
        started.push(session);
      },
    },
  });
}

beforeEach(async () => {
  endpointCalls.length = 0;
  endpointAnswer = (body) => ({ status: 200, json: { status: "started", room_name: body.room_name } });
  h = await harness();
});
afterEach(async () => {
  await h.close();
  for (const room of await rooms.listRooms()) await rooms.deleteRoom(room.name);
});

const rubric = (extra: Record<string, unknown> = {}) => ({
  mode: "rubric",
  url: lk.url,
  api_key: LK_KEY,
  api_secret: LK_SECRET,
  ...extra,
});

async function agent(voice: unknown, key = h.a.apiKey, name = "Front desk"): Promise<number> {
  const res = await h.call("POST", "/v1/agents", { name, ...(voice === null ? text : { voice }) }, key);
  expect(res.status).toBe(201);
  return res.body.id;
}
const text = { text: { url: "ws://127.0.0.1:9/ws", secret: "s" } };

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

const start = (agentId: unknown, key = h.a.apiKey) =>
  h.call("POST", "/v1/sessions/livekit", { agent_id: agentId }, key);

describe("POST /v1/sessions/livekit", () => {
  it("refuses a missing or wrong API key with 401, and does not take X-CEKURA-API-KEY here", async () => {
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    const body = JSON.stringify({ agent_id: id });
    for (const headers of [
      {},
      { "X-API-Key": "spar_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      { "X-CEKURA-API-KEY": h.a.apiKey },
    ]) {
      const res = await h.request("/v1/sessions/livekit", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body,
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("answers 404 for an unknown agent and for another workspace's agent alike", async () => {
    const theirs = await agent({ livekit: rubric({ agent_name: "desk" }) }, h.b.apiKey);
    expect(await start(999)).toMatchObject({
      status: 404,
      body: { error: { message: "agent_id: no agent 999" } },
    });
    expect(await start(theirs)).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", message: `agent_id: no agent ${theirs}` } },
    });
  });

  it("refuses a text-only agent with 400, and a body without an agent id naming the field", async () => {
    const id = await agent(null);
    expect(await start(id)).toMatchObject({
      status: 400,
      body: {
        error: {
          message: `agent_id: agent ${id} has no voice channel; text-only agents cannot take voice calls`,
        },
      },
    });
    const missing = await h.call("POST", "/v1/sessions/livekit", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^agent_id: /);
  });

  it("refuses agents whose LiveKit mode is not rubric with 400 naming why", async () => {
    const client = await agent({ livekit: { mode: "client", bot_runner_url: "http://127.0.0.1:9/run" } });
    const res = await start(client);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      `agent_id: agent ${client}'s LiveKit mode is client: its bot runner creates the rooms, so the platform cannot create a session room; sessions need mode rubric (web_call_url or agent_name)`,
    );
    const manual = await agent({ livekit: { mode: "manual", url: lk.url, token: "t" } });
    expect((await start(manual)).body.error.message).toMatch(
      /LiveKit mode is manual: a room and token are given per run/,
    );
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("refuses a rubric agent without LiveKit credentials with 400, and uses the workspace's once set", async () => {
    const id = await agent({ livekit: { mode: "rubric", agent_name: "desk" } });
    expect((await start(id)).body.error.message).toBe(
      `agent_id: agent ${id} has no LiveKit credentials: give url, api_key and api_secret on the agent, or set the workspace's (PUT /v1/settings/livekit)`,
    );
    const put = await h.call("PUT", "/v1/settings/livekit", {
      url: lk.url,
      api_key: LK_KEY,
      api_secret: LK_SECRET,
    });
    expect(put.status).toBe(200);
    const res = await start(id);
    expect(res.status).toBe(200);
    expect(res.body.livekit_url).toBe(lk.url);
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([res.body.room_name]);
  });

  it("dispatches the named agent into a new room and answers a 1-hour join token for that room only", async () => {
    const id = await agent({
      livekit: rubric({ agent_name: "front-desk", room_config: { empty_timeout: 42 } }),
    });
    const res = await start(String(id));
    expect(res.status).toBe(200);
    const room = `agent_${id}_${h.a.userId}_${NOW_MS}`;
    expect(res.body).toEqual({
      room_name: room,
      token: res.body.token,
      livekit_url: lk.url,
      agent_name: "Front desk",
    });

    const [created] = await rooms.listRooms();
    expect({
      name: created?.name,
      emptyTimeout: created?.emptyTimeout,
      max: created?.maxParticipants,
    }).toEqual({
      name: room,
      emptyTimeout: 42,
      max: 10,
    });
    const [dispatch, ...others] = await dispatches.listDispatch(room);
    expect(others).toEqual([]);
    expect({ agentName: dispatch?.agentName, metadata: JSON.parse(dispatch?.metadata ?? "null") }).toEqual({
      agentName: "front-desk",
      metadata: { spar_session: { room_name: room, agent_id: id, user_id: h.a.userId } },
    });

    const claims = claimsOf(res.body.token);
    expect(claims).toEqual({
      iss: LK_KEY,
      sub: String(h.a.userId),
      iat: NOW_MS / 1000,
      nbf: NOW_MS / 1000,
      exp: NOW_MS / 1000 + 3600,
      video: { room, roomJoin: true, canPublish: true, canSubscribe: true },
    });
    const verified = await new TokenVerifier(LK_KEY, LK_SECRET).verify(res.body.token);
    expect(verified.sub).toBe(String(h.a.userId));
    await expect(
      new TokenVerifier(LK_KEY, "another-secret-long-enough-0123456789").verify(res.body.token),
    ).rejects.toThrow();

    expect(started).toEqual([
      {
        workspaceId: h.a.workspaceId,
        agentId: id,
        userId: h.a.userId,
        roomName: room,
        credentials: { url: lk.url, api_key: LK_KEY, api_secret: LK_SECRET },
      },
    ]);
    expect((await getLivekitSession(h.services.db, h.a.workspaceId, room))?.endedAtMs).toBeNull();
    expect(h.bodies.join("\n")).not.toContain(LK_SECRET);
  });

  it("calls the bot's session endpoint with a pipecat-bot token for the room instead of dispatching", async () => {
    const id = await agent({ livekit: rubric({ web_call_url: endpointUrl }) });
    const res = await start(id);
    expect(res.status).toBe(200);
    const room = res.body.room_name;
    expect(endpointCalls.map((c) => c.path)).toEqual(["/bot/api/session"]);
    const sent = JSON.parse(endpointCalls[0]?.body ?? "{}");
    expect(Object.keys(sent).sort()).toEqual(["bot_token", "livekit_url", "room_name"]);
    expect({ room_name: sent.room_name, livekit_url: sent.livekit_url }).toEqual({
      room_name: room,
      livekit_url: lk.url,
    });
    expect(claimsOf(sent.bot_token)).toMatchObject({
      sub: "pipecat-bot",
      name: "pipecat-bot",
      exp: NOW_MS / 1000 + 3600,
      video: { room, roomJoin: true, canPublish: true, canSubscribe: true },
    });
    expect(await dispatches.listDispatch(room)).toEqual([]);
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([room]);
  });

  it("answers 500 naming the reason and deletes the room when the session endpoint fails", async () => {
    const id = await agent({ livekit: rubric({ web_call_url: endpointUrl }) });
    endpointAnswer = () => ({ status: 503, json: { error: "no bots free" } });
    const refused = await start(id);
    expect(refused).toMatchObject({
      status: 500,
      body: {
        error: {
          code: "internal",
          message: 'the session endpoint answered HTTP 503: {"error":"no bots free"}',
        },
      },
    });
    endpointAnswer = () => ({ status: 200, json: { status: "started", room_name: "another-room" } });
    const wrongRoom = await start(id);
    expect(wrongRoom.body.error.message).toMatch(
      /^the session endpoint started room "another-room", not "agent_/,
    );
    expect(endpointCalls).toHaveLength(2);
    expect(await rooms.listRooms()).toEqual([]);
    expect(
      await getLivekitSession(h.services.db, h.a.workspaceId, `agent_${id}_${h.a.userId}_${NOW_MS}`),
    ).toBeUndefined();
    expect(started).toEqual([]);
  });

  it("answers 500 with LiveKit's answer when it rejects the credentials, creating nothing", async () => {
    const id = await agent({
      livekit: rubric({ api_secret: "a-wrong-secret-that-is-long-enough-012345", agent_name: "d" }),
    });
    const res = await start(id);
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(
      /^the LiveKit room could not be created: LiveKit answered 401 unauthenticated: /,
    );
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("refuses a LiveKit URL or session endpoint the outbound policy refuses at connect, naming the policy", async () => {
    await h.close();
    // Saved under the harness's `loopback`; the policy at connect is `public` (as if changed since).
    h = await harness({ policy: "public" });
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    expect(await start(id)).toMatchObject({
      status: 500,
      body: {
        error: {
          message:
            "the LiveKit room could not be created: the outbound policy refused the LiveKit URL: outbound policy public refuses ws:// (use wss:// or https://)",
        },
      },
    });
    const caller = httpSessionEndpointCaller({
      fetch,
      checkUrl: async (url) => {
        const check = await checkUrlAtConnect(url, "public", { resolve: async () => ["127.0.0.1"] });
        return check.ok ? undefined : check.message;
      },
    });
    const body = { room_name: "r", bot_token: "t", livekit_url: lk.url };
    expect(await caller({ webCallUrl: "https://bot.example.com", body })).toEqual({
      ok: false,
      message:
        "the outbound policy refused the session endpoint: host bot.example.com resolves to 127.0.0.1, which is a loopback address, refused by outbound policy public",
    });
    expect(endpointCalls).toEqual([]);
    expect(await rooms.listRooms()).toEqual([]);
  });
});

describe("LiveKit failing after the room exists", () => {
  const failing = (real: LivekitRoomAdmin, what: "createDispatch" | "deleteRoom"): LivekitRoomAdmin => ({
    ...real,
    [what]: async () => {
      throw new LivekitAdminError("LiveKit answered 503 unavailable: no agent workers");
    },
  });

  it("answers 500 naming LiveKit's answer and deletes the room when the dispatch fails", async () => {
    await h.close();
    h = await harness({ rooms: (real) => failing(real, "createDispatch") });
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    expect(await start(id)).toMatchObject({
      status: 500,
      body: {
        error: {
          message: "the agent could not be dispatched: LiveKit answered 503 unavailable: no agent workers",
        },
      },
    });
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("answers 502 and keeps the session open when LiveKit refuses to delete its room", async () => {
    await h.close();
    h = await harness({ rooms: (real) => failing(real, "deleteRoom") });
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    const room = (await start(id)).body.room_name;
    expect(await h.call("DELETE", `/v1/sessions/livekit/${room}`)).toMatchObject({
      status: 502,
      body: {
        error: {
          code: "upstream_failed",
          message:
            "the session room could not be deleted: LiveKit answered 503 unavailable: no agent workers",
        },
      },
    });
    expect((await getLivekitSession(h.services.db, h.a.workspaceId, room))?.endedAtMs).toBeNull();
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([room]);
  });
});

describe("credits", () => {
  it("refuses with 402 when the balance is short, creating and debiting nothing", async () => {
    await h.close();
    h = await harness({ credits: true });
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    await addCredits(h.services.db, h.a.workspaceId, 9, { reason: "test", nowMs: NOW_MS });
    expect(await start(id)).toMatchObject({
      status: 402,
      body: {
        error: { code: "payment_required", message: "a voice session costs 10 credits; the balance is 9" },
      },
    });
    expect(await rooms.listRooms()).toEqual([]);
    expect(await getCreditBalance(h.services.db, h.a.workspaceId)).toBe(9);
    expect(
      await getLivekitSession(h.services.db, h.a.workspaceId, `agent_${id}_${h.a.userId}_${NOW_MS}`),
    ).toBeUndefined();
  });

  it("debits a voice run's price for a session, and refunds it when the start fails", async () => {
    await h.close();
    h = await harness({ credits: true });
    const ok = await agent({ livekit: rubric({ agent_name: "desk" }) });
    const failing = await agent({ livekit: rubric({ web_call_url: endpointUrl }) });
    await addCredits(h.services.db, h.a.workspaceId, 25, { reason: "test", nowMs: NOW_MS });
    expect((await start(ok)).status).toBe(200);
    expect(await getCreditBalance(h.services.db, h.a.workspaceId)).toBe(15);
    endpointAnswer = () => ({ status: 500, json: {} });
    expect((await start(failing)).status).toBe(500);
    expect(await getCreditBalance(h.services.db, h.a.workspaceId)).toBe(15);
  });
});

describe("DELETE /v1/sessions/livekit/{room_name}", () => {
  it("deletes the room and ends the session; another workspace's DELETE is a 404 that leaves it", async () => {
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    const room = (await start(id)).body.room_name;
    expect(await h.call("DELETE", `/v1/sessions/livekit/${room}`, undefined, h.b.apiKey)).toMatchObject({
      status: 404,
      body: { error: { message: `session ${room} not found` } },
    });
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([room]);

    expect((await h.call("DELETE", `/v1/sessions/livekit/${room}`)).status).toBe(204);
    expect(await rooms.listRooms()).toEqual([]);
    expect((await getLivekitSession(h.services.db, h.a.workspaceId, room))?.endedAtMs).toBe(NOW_MS);
    expect((await h.call("DELETE", `/v1/sessions/livekit/${room}`)).status).toBe(204);
    expect((await h.call("DELETE", "/v1/sessions/livekit/agent_1_1_1")).status).toBe(404);
  });

  it("ends a session whose room LiveKit already closed", async () => {
    const id = await agent({ livekit: rubric({ agent_name: "desk" }) });
    const room = (await start(id)).body.room_name;
    await rooms.deleteRoom(room);
    expect((await h.call("DELETE", `/v1/sessions/livekit/${room}`)).status).toBe(204);
    expect((await getLivekitSession(h.services.db, h.a.workspaceId, room))?.endedAtMs).toBe(NOW_MS);
  });
});
