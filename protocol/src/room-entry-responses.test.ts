import { describe, expect, it } from "vitest";
import {
  botRunnerResponseSchema,
  decodeFields,
  sessionStartResponseSchema,
  tokenResponseFields,
} from "./room-entry-responses.ts";

describe("tokenResponseFields", () => {
  it("takes the first non-empty token field in the documented order", () => {
    expect(tokenResponseFields({ access_token: "c", accessToken: "b", token: "" })).toEqual({
      ok: true,
      value: { token: "b", serverUrl: undefined, roomName: undefined },
    });
  });

  it("reads either spelling of the server URL and the room", () => {
    expect(tokenResponseFields({ token: "t", server_url: "wss://a", room_name: "r" })).toEqual({
      ok: true,
      value: { token: "t", serverUrl: "wss://a", roomName: "r" },
    });
    expect(tokenResponseFields({ participant_token: "t", serverUrl: "wss://b", roomName: "q" })).toEqual({
      ok: true,
      value: { token: "t", serverUrl: "wss://b", roomName: "q" },
    });
  });

  it("ignores a token that is not a string and reports a body that is not an object", () => {
    expect(tokenResponseFields({ token: 42 })).toMatchObject({ ok: true, value: { token: undefined } });
    expect(tokenResponseFields("token")).toEqual({ ok: false, problem: "the response is not a JSON object" });
  });
});

describe("decodeFields", () => {
  it("names every missing field of a bot runner's answer", () => {
    expect(decodeFields(botRunnerResponseSchema, { room_url: "ws://x" })).toEqual({
      ok: false,
      problem: 'field "room_name" is missing; field "token" is missing',
    });
  });

  it("says which value a session answer's status had and which it needs", () => {
    expect(decodeFields(sessionStartResponseSchema, { status: "error", room_name: "r" })).toEqual({
      ok: false,
      problem: 'field "status" is "error", expected "started"',
    });
    expect(decodeFields(sessionStartResponseSchema, { status: "started", room_name: "r" })).toEqual({
      ok: true,
      value: { status: "started", room_name: "r" },
    });
  });
});
