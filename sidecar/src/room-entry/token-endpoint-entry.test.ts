import { afterEach, describe, expect, it } from "vitest";
import { json, type LoopbackEndpoint, startLoopbackEndpoint } from "./loopback-endpoint.fixture.ts";
import { enterRoom, roomEntryPorts } from "./room-entry.ts";

const ROOM = "0b8c6f2e-4a55-4f0e-9d7b-3f1f7c2a9e10";
const context = { runId: "run-9", scenario: { id: "s", name: "S" }, agentId: undefined };
const ports = () =>
  roomEntryPorts({ limits: { endpointMs: 2_000, roomCreateMs: 2_000 }, randomUuid: () => ROOM });

let endpoint: LoopbackEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function enterWith(answer: unknown, extra: Record<string, unknown> = {}) {
  endpoint = await startLoopbackEndpoint(json(answer));
  return enterRoom(
    { mode: "token_endpoint", generate_token_endpoint: `${endpoint.url}/token`, ...extra },
    context,
    ports(),
  );
}

describe("token_endpoint mode (the user's endpoint mints the caller's token)", () => {
  it.each(["token", "participantToken", "accessToken", "participant_token", "access_token"])(
    "reads the token from field %s",
    async (field) => {
      const entry = await enterWith({ [field]: "TOK", serverUrl: "wss://lk.test" });
      expect(entry).toEqual({ ok: true, url: "wss://lk.test", token: "TOK", roomName: ROOM });
    },
  );

  it.each(["serverUrl", "server_url"])(
    "takes the server URL from field %s over the configured url",
    async (field) => {
      const entry = await enterWith(
        { token: "TOK", [field]: "wss://answered.test" },
        { livekit_url: "ws://configured.test" },
      );
      expect(entry).toMatchObject({ ok: true, url: "wss://answered.test" });
    },
  );

  it("uses the configured url when the answer names no server", async () => {
    expect(await enterWith({ token: "TOK" }, { livekit_url: "ws://configured.test" })).toMatchObject({
      ok: true,
      url: "ws://configured.test",
    });
  });

  it.each(["roomName", "room_name"])("accepts field %s when it names the requested room", async (field) => {
    expect(await enterWith({ token: "TOK", serverUrl: "wss://lk.test", [field]: ROOM })).toMatchObject({
      ok: true,
      roomName: ROOM,
    });
  });

  it("fails invalid_bot_runner_response when the answered room is not the requested one", async () => {
    const entry = await enterWith({ token: "TOK", serverUrl: "wss://lk.test", room_name: "other" });
    expect(entry).toEqual({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: `the token endpoint ${endpoint?.url}/token answered room "other", not the requested "${ROOM}"`,
    });
  });

  it("posts room_name and participant_name merged with the payload, with the configured headers", async () => {
    await enterWith(
      { token: "TOK", serverUrl: "wss://lk.test" },
      {
        token_request_payload: { agent_id: "a-7", participant_name: "overridden", nested: { x: 1 } },
        generate_token_headers: { Authorization: "Bearer user-key", "X-Team": "qa" },
      },
    );
    const request = endpoint?.requests[0];
    expect(request?.body).toEqual({
      room_name: ROOM,
      participant_name: "overridden",
      agent_id: "a-7",
      nested: { x: 1 },
    });
    expect(request?.headers.authorization).toBe("Bearer user-key");
    expect(request?.headers["x-team"]).toBe("qa");
  });

  it('fails token_missing with "No token found in response" when no token field is set', async () => {
    const entry = await enterWith({ serverUrl: "wss://lk.test", token: "", jwt: "J" });
    expect(entry).toEqual({
      ok: false,
      reason: "token_missing",
      message: `No token found in response (the token endpoint ${endpoint?.url}/token answered none of token, participantToken, accessToken, participant_token, access_token)`,
    });
  });

  it("fails with a clear message when neither the answer nor the channel names a server URL", async () => {
    const entry = await enterWith({ token: "TOK" });
    expect(entry).toEqual({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: `the token endpoint ${endpoint?.url}/token answered no field "serverUrl" or "server_url", and the channel has no url: return the LiveKit server URL, or set agent.voice.livekit.url`,
    });
  });

  it("fails invalid_bot_runner_response on a server URL that is not a URL", async () => {
    expect(await enterWith({ token: "TOK", server_url: "lk.test:7880" })).toMatchObject({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: expect.stringContaining("answered a server URL that must be"),
    });
  });

  it("fails bot_runner_error with status and body start when the endpoint refuses", async () => {
    endpoint = await startLoopbackEndpoint(json({ error: "bad key" }, 401));
    const entry = await enterRoom(
      { mode: "token_endpoint", generate_token_endpoint: `${endpoint.url}/token` },
      context,
      ports(),
    );
    expect(entry).toEqual({
      ok: false,
      reason: "bot_runner_error",
      message: `the token endpoint ${endpoint.url}/token answered HTTP 401: {"error":"bad key"}`,
    });
  });
});
