import { TokenVerifier } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { mintJoinToken, readJoinClaims, sameLivekitServer } from "./livekit-tokens.ts";

const KEY = "key";
const SECRET = "secret-that-is-long-enough-for-hs256-0123";

describe("join tokens", () => {
  it("mints a 10-minute token for one identity in one room, with no admin grants", async () => {
    const token = await mintJoinToken({
      apiKey: KEY,
      apiSecret: SECRET,
      identity: "rubric-test-caller",
      room: "r1",
    });
    const claims = await new TokenVerifier(KEY, SECRET).verify(token);
    expect([claims.sub, claims.name, claims.iss, (claims.exp ?? 0) - (claims.nbf ?? 0)]).toEqual([
      "rubric-test-caller",
      "rubric-test-caller",
      KEY,
      600,
    ]);
    expect(claims.video).toEqual({
      roomJoin: true,
      room: "r1",
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
    });
  });

  it("reads the identity and room of a token without its secret", async () => {
    const token = await mintJoinToken({
      apiKey: KEY,
      apiSecret: SECRET,
      identity: "pipecat-bot",
      room: "rubric-1",
    });
    expect(readJoinClaims(token)).toEqual({
      ok: true,
      claims: { identity: "pipecat-bot", room: "rubric-1" },
    });
  });

  it("says what is wrong with a token it cannot read", () => {
    expect(readJoinClaims("abc")).toEqual({ ok: false, message: "is not a JWT (three dot-separated parts)" });
    expect(readJoinClaims("a.!!!.c")).toEqual({
      ok: false,
      message: "has a payload that is not base64url JSON",
    });
    const noSub = `x.${Buffer.from(JSON.stringify({ video: {} })).toString("base64url")}.y`;
    expect(readJoinClaims(noSub)).toEqual({ ok: false, message: "has no identity (`sub` claim)" });
  });
});

describe("sameLivekitServer", () => {
  it("treats ws and http (wss and https) of one host and port as the same server", () => {
    expect(sameLivekitServer("ws://127.0.0.1:7880", "http://127.0.0.1:7880/")).toBe(true);
    expect(sameLivekitServer("wss://p.livekit.cloud", "https://p.livekit.cloud:443")).toBe(true);
  });

  it("tells apart other hosts, ports and security", () => {
    expect(sameLivekitServer("ws://127.0.0.1:7880", "ws://127.0.0.1:7881")).toBe(false);
    expect(sameLivekitServer("ws://p.livekit.cloud", "wss://p.livekit.cloud")).toBe(false);
    expect(sameLivekitServer("wss://a.livekit.cloud", "wss://b.livekit.cloud")).toBe(false);
    expect(sameLivekitServer("ws://h:1", "not a url")).toBe(false);
  });
});
