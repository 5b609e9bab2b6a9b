import { describe, expect, it } from "vitest";
import { voiceChannelSchema } from "./suite.ts";
import { roomOptionsOf, voiceConnectionFor } from "./voice-connection.ts";

const workspace = { url: "wss://ws.example", api_key: "WK", api_secret: "ws-secret" };

describe("voiceConnectionFor", () => {
  it("passes a manual token through and asks for a mint when only an API key is given", () => {
    expect(voiceConnectionFor({ mode: "manual", url: "ws://lk", token: "T" })).toEqual({
      ok: true,
      connection: { mode: "manual", livekit_room_url: "ws://lk", access_token: "T" },
    });
    expect(
      voiceConnectionFor({ mode: "manual", url: "ws://lk", api_key: "K", api_secret: "S", room: "r1" }),
    ).toEqual({
      ok: true,
      mint: { url: "ws://lk", api_key: "K", api_secret: "S", room: "r1" },
    });
    expect(voiceConnectionFor({ mode: "manual", url: "ws://lk" })).toMatchObject({
      ok: false,
      reason: "credentials_missing",
    });
  });

  it("uses the agent's credentials first, then the workspace's, then fails credentials_missing", () => {
    const own = voiceConnectionFor(
      { mode: "rubric", url: "wss://own", api_key: "K", api_secret: "S", agent_name: "bot" },
      workspace,
    );
    expect(own).toMatchObject({
      ok: true,
      connection: { mode: "rubric_dispatch", livekit_url: "wss://own", api_key: "K" },
    });
    const fallback = voiceConnectionFor({ mode: "rubric", web_call_url: "https://bot.example" }, workspace);
    expect(fallback).toMatchObject({
      ok: true,
      connection: {
        mode: "rubric_endpoint",
        web_call_url: "https://bot.example",
        livekit_url: "wss://ws.example",
        api_key: "WK",
      },
    });
    expect(voiceConnectionFor({ mode: "rubric" })).toMatchObject({
      ok: false,
      reason: "credentials_missing",
    });
  });

  it("treats a rubric channel without web_call_url or agent_name as automatic dispatch", () => {
    expect(voiceConnectionFor({ mode: "rubric" }, workspace)).toMatchObject({
      ok: true,
      connection: { mode: "rubric_dispatch", agent_name: "" },
    });
  });

  it("maps token_endpoint fields and keeps the configured url as the fallback server", () => {
    expect(
      voiceConnectionFor({
        mode: "token_endpoint",
        generate_token_endpoint: "https://tok.example/token",
        url: "wss://lk.example",
        generate_token_headers: { Authorization: "Bearer x" },
        token_request_payload: { agent: "a" },
      }),
    ).toEqual({
      ok: true,
      connection: {
        mode: "token_endpoint",
        generate_token_endpoint: "https://tok.example/token",
        livekit_url: "wss://lk.example",
        generate_token_headers: { Authorization: "Bearer x" },
        token_request_payload: { agent: "a" },
      },
    });
  });
});

describe("roomOptionsOf", () => {
  it("forwards only the allowed keys, fills both defaults and JSON-encodes object metadata", () => {
    expect(roomOptionsOf({ max_participants: 3, metadata: { a: 1 }, name: "mine", foo: true })).toEqual({
      empty_timeout: 300,
      max_participants: 3,
      metadata: '{"a":1}',
    });
  });
});

describe("the voice channel", () => {
  it("refuses a rubric channel with both web_call_url and agent_name, naming agent_name", () => {
    const parsed = voiceChannelSchema.safeParse({
      livekit: {
        mode: "rubric",
        url: "wss://lk.example",
        api_key: "K",
        api_secret: "S",
        web_call_url: "https://bot.example",
        agent_name: "bot",
      },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["livekit", "agent_name"]);
    expect(parsed.error?.issues[0]?.message).toContain("not both");
  });
});
