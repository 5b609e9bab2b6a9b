/**
 * `POST /v1/sessions/livekit` against the real app over a libSQL file and the repo's LiveKit dev
 * server on 127.0.0.1 (its Twirp API, spoken to by livekit-server-sdk), with a bot session
 * endpoint on loopback. Each step's error is checked in the order the spec gives them, and every
 * failure is checked to leave no room behind.
 */
import { TokenVerifier } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { getLivekitSession } from "../../db/repositories/livekit-sessions.ts";
import { checkUrlAtConnect } from "../../security/outbound-url.ts";
import { httpSessionEndpointCaller } from "../../voice/session-endpoint.ts";
import { claimsOf, LK_KEY, LK_SECRET, NOW_MS, useSessionHarness } from "./session-harness.fixture.ts";

const s = useSessionHarness();

/** Opens LiveKit's signalling socket with a token: "joined", or the HTTP refusal. */
function join(token: string, room?: string): Promise<string> {
  const query = `protocol=16&sdk=spar-test${room === undefined ? "" : `&room=${room}`}`;
  const ws = new WebSocket(`${s.lk.url}/rtc?${query}`, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve) => {
    ws.once("open", () => {
      ws.close();
      resolve("joined");
    });
    ws.once("unexpected-response", (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.once("error", (error) => resolve(`error ${error.message}`));
  });
}

describe("POST /v1/sessions/livekit", () => {
  it("refuses a missing or wrong API key with 401, and does not take X-CEKURA-API-KEY here", async () => {
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    const body = JSON.stringify({ agent_id: id });
    for (const headers of [
      {},
      { "X-API-Key": "spar_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      { "X-CEKURA-API-KEY": s.h.a.apiKey },
    ]) {
      const res = await s.h.request("/v1/sessions/livekit", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body,
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect(await s.rooms.listRooms()).toEqual([]);
  });

  it("answers 404 for an unknown agent and for another workspace's agent alike", async () => {
    const theirs = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) }, s.h.b.apiKey);
    expect(await s.start(999)).toMatchObject({
      status: 404,
      body: { error: { message: "agent_id: no agent 999" } },
    });
    expect(await s.start(theirs)).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", message: `agent_id: no agent ${theirs}` } },
    });
  });

  it("refuses a text-only agent with 400, and a body without an agent id naming the field", async () => {
    const id = await s.agent(null);
    expect(await s.start(id)).toMatchObject({
      status: 400,
      body: {
        error: {
          message: `agent_id: agent ${id} has no voice channel; text-only agents cannot take voice calls`,
        },
      },
    });
    const missing = await s.h.call("POST", "/v1/sessions/livekit", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^agent_id: /);
  });

  it("refuses agents whose LiveKit mode is not rubric with 400 naming why", async () => {
    const client = await s.agent({ livekit: { mode: "client", bot_runner_url: "http://127.0.0.1:9/run" } });
    const res = await s.start(client);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      `agent_id: agent ${client}'s LiveKit mode is client: its bot runner creates the rooms, so the platform cannot create a session room; sessions need mode rubric (web_call_url or agent_name)`,
    );
    const manual = await s.agent({ livekit: { mode: "manual", url: s.lk.url, token: "t" } });
    expect((await s.start(manual)).body.error.message).toMatch(
      /LiveKit mode is manual: a room and token are given per run/,
    );
    expect(await s.rooms.listRooms()).toEqual([]);
  });

  it("refuses a rubric agent without LiveKit credentials with 400, and uses the workspace's once set", async () => {
    const id = await s.agent({ livekit: { mode: "rubric", agent_name: "desk" } });
    expect((await s.start(id)).body.error.message).toBe(
      `agent_id: agent ${id} has no LiveKit credentials: give url, api_key and api_secret on the agent, or set the workspace's (PUT /v1/settings/livekit)`,
    );
    const put = await s.h.call("PUT", "/v1/settings/livekit", {
      url: s.lk.url,
      api_key: LK_KEY,
      api_secret: LK_SECRET,
    });
    expect(put.status).toBe(200);
    const res = await s.start(id);
    expect(res.status).toBe(200);
    expect(res.body.livekit_url).toBe(s.lk.url);
    expect((await s.rooms.listRooms()).map((r) => r.name)).toEqual([res.body.room_name]);
  });

  it("dispatches the named agent into a new room and answers a 1-hour join token for that room only", async () => {
    const id = await s.agent({
      livekit: s.rubric({ agent_name: "front-desk", room_config: { empty_timeout: 42 } }),
    });
    const res = await s.start(String(id));
    expect(res.status).toBe(200);
    const room = `agent_${id}_${s.h.a.userId}_${NOW_MS}`;
    expect(res.body).toEqual({
      room_name: room,
      token: res.body.token,
      livekit_url: s.lk.url,
      agent_name: "Front desk",
      run_id: null,
      unobserved_reason: "the harness observes nothing",
    });

    const [created] = await s.rooms.listRooms();
    expect({
      name: created?.name,
      emptyTimeout: created?.emptyTimeout,
      max: created?.maxParticipants,
    }).toEqual({
      name: room,
      emptyTimeout: 42,
      max: 10,
    });
    const [dispatch, ...others] = await s.dispatches.listDispatch(room);
    expect(others).toEqual([]);
    expect({ agentName: dispatch?.agentName, metadata: JSON.parse(dispatch?.metadata ?? "null") }).toEqual({
      agentName: "front-desk",
      metadata: { spar_session: { room_name: room, agent_id: id, user_id: s.h.a.userId } },
    });

    const claims = claimsOf(res.body.token);
    expect(claims).toEqual({
      iss: LK_KEY,
      sub: String(s.h.a.userId),
      iat: NOW_MS / 1000,
      nbf: NOW_MS / 1000,
      exp: NOW_MS / 1000 + 3600,
      video: { room, roomJoin: true, canPublish: true, canSubscribe: true },
    });
    expect(await join(res.body.token)).toBe("joined");
    expect(await join(res.body.token, "another-room")).toBe("HTTP 401");
    expect(await join(`${res.body.token}x`)).toBe("HTTP 401");
    const verified = await new TokenVerifier(LK_KEY, LK_SECRET).verify(res.body.token);
    expect(verified.sub).toBe(String(s.h.a.userId));
    await expect(
      new TokenVerifier(LK_KEY, "another-secret-long-enough-0123456789").verify(res.body.token),
    ).rejects.toThrow();

    expect(s.started).toEqual([
      {
        workspaceId: s.h.a.workspaceId,
        agentId: id,
        userId: s.h.a.userId,
        roomName: room,
        credentials: { url: s.lk.url, api_key: LK_KEY, api_secret: LK_SECRET },
        // A dispatched agent names itself: the observer takes the first non-human participant.
        agentIdentity: undefined,
      },
    ]);
    expect((await getLivekitSession(s.h.services.db, s.h.a.workspaceId, room))?.endedAtMs).toBeNull();
    expect(s.h.bodies.join("\n")).not.toContain(LK_SECRET);
  });

  it("calls the bot's session endpoint with a pipecat-bot token for the room instead of dispatching", async () => {
    const id = await s.agent({ livekit: s.rubric({ web_call_url: s.endpointUrl }) });
    const res = await s.start(id);
    expect(res.status).toBe(200);
    const room = res.body.room_name;
    expect(s.endpointCalls.map((c) => c.path)).toEqual(["/bot/api/session"]);
    const sent = JSON.parse(s.endpointCalls[0]?.body ?? "{}");
    expect(Object.keys(sent).sort()).toEqual(["bot_token", "livekit_url", "room_name"]);
    expect({ room_name: sent.room_name, livekit_url: sent.livekit_url }).toEqual({
      room_name: room,
      livekit_url: s.lk.url,
    });
    expect(claimsOf(sent.bot_token)).toMatchObject({
      sub: "pipecat-bot",
      name: "pipecat-bot",
      exp: NOW_MS / 1000 + 3600,
      video: { room, roomJoin: true, canPublish: true, canSubscribe: true },
    });
    expect(await s.dispatches.listDispatch(room)).toEqual([]);
    expect((await s.rooms.listRooms()).map((r) => r.name)).toEqual([room]);
    // The observer knows the bot by the identity of the token the platform minted for it.
    expect(s.started.map((x) => x.agentIdentity)).toEqual(["pipecat-bot"]);
  });

  it("answers 500 naming the reason and deletes the room when the session endpoint fails", async () => {
    const id = await s.agent({ livekit: s.rubric({ web_call_url: s.endpointUrl }) });
    s.endpointAnswer = () => ({ status: 503, json: { error: "no bots free" } });
    const refused = await s.start(id);
    expect(refused).toMatchObject({
      status: 500,
      body: {
        error: {
          code: "internal",
          message: 'the session endpoint answered HTTP 503: {"error":"no bots free"}',
        },
      },
    });
    s.endpointAnswer = () => ({ status: 200, json: { status: "started", room_name: "another-room" } });
    const wrongRoom = await s.start(id);
    expect(wrongRoom.body.error.message).toMatch(
      /^the session endpoint started room "another-room", not "agent_/,
    );
    expect(s.endpointCalls).toHaveLength(2);
    expect(await s.rooms.listRooms()).toEqual([]);
    expect(
      await getLivekitSession(s.h.services.db, s.h.a.workspaceId, `agent_${id}_${s.h.a.userId}_${NOW_MS}`),
    ).toBeUndefined();
    expect(s.started).toEqual([]);
  });

  it("answers 500 with LiveKit's answer when it rejects the credentials, creating nothing", async () => {
    const id = await s.agent({
      livekit: s.rubric({ api_secret: "a-wrong-secret-that-is-long-enough-012345", agent_name: "d" }),
    });
    const res = await s.start(id);
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(
      /^the LiveKit room could not be created: LiveKit answered 401 unauthenticated: /,
    );
    expect(await s.rooms.listRooms()).toEqual([]);
  });

  it("refuses a LiveKit URL or session endpoint the outbound policy refuses at connect, naming the policy", async () => {
    // Saved under the harness's `loopback`; the policy at connect is `public` (as if changed since).
    await s.restart({ policy: "public" });
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    expect(await s.start(id)).toMatchObject({
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
    const body = { room_name: "r", bot_token: "t", livekit_url: s.lk.url };
    expect(await caller({ webCallUrl: "https://bot.example.com", body })).toEqual({
      ok: false,
      message:
        "the outbound policy refused the session endpoint: host bot.example.com resolves to 127.0.0.1, which is a loopback address, refused by outbound policy public",
    });
    expect(s.endpointCalls).toEqual([]);
    expect(await s.rooms.listRooms()).toEqual([]);
  });
});
