/**
 * How each room-entry failure looks through the real `spar` bin, on the example suites as written
 * with the user's side misbehaving: a small loopback endpoint gives the broken answers, and the
 * dev server's Server API (no media needed) refuses a wrong secret. None of these reaches WebRTC,
 * so they run outside the media namespace; each must exit 1 (or 2 for a config error).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startApiTestServer, TEST_KEY } from "../../devkit/src/livekit-dev-server/twirp/test-api-server.ts";
import { exampleSuite, sparRunSuite } from "./voice-run.ts";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** A loopback HTTP endpoint that gives every POST the same answer and records the paths asked. */
async function answering(status: number, body: string): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? "");
    req.resume();
    req.on("end", () => res.writeHead(status, { "content-type": "application/json" }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

const UNUSED = { LIVEKIT_URL: "ws://127.0.0.1:9", LIVEKIT_API_KEY: "k", LIVEKIT_API_SECRET: "s" };

describe("room-entry failures through the spar bin on examples/voice", () => {
  it("client.yaml fails bot_runner_error with the runner's HTTP status and the first 500 bytes of its body", async () => {
    const body = `{"error":"${"x".repeat(600)}"}`;
    const runner = await answering(500, body);
    const result = await sparRunSuite(exampleSuite("client.yaml"), { ...UNUSED, BOT_RUNNER_URL: runner.url });
    expect(result.code).toBe(1);
    expect(runner.paths).toEqual(["/api/create-and-join"]);
    expect(result.run).toMatchObject({ status: "failed", ended_reason: "bot_runner_error", passed: false });
    expect(result.run?.error).toBe(
      `the bot runner ${runner.url}/api/create-and-join answered HTTP 500: ${body.slice(0, 500)}`,
    );
  }, 30_000);

  it("client.yaml fails invalid_bot_runner_response naming the missing token field", async () => {
    const runner = await answering(200, JSON.stringify({ room_name: "r", room_url: "ws://127.0.0.1:9" }));
    const result = await sparRunSuite(exampleSuite("client.yaml"), { ...UNUSED, BOT_RUNNER_URL: runner.url });
    expect(result.code).toBe(1);
    expect(result.run).toMatchObject({ status: "failed", ended_reason: "invalid_bot_runner_response" });
    expect(result.run?.error).toContain('field "token" is missing');
  }, 30_000);

  it("token-endpoint.yaml fails token_missing when the answer has no token", async () => {
    const endpoint = await answering(200, JSON.stringify({ serverUrl: "ws://127.0.0.1:9" }));
    const result = await sparRunSuite(exampleSuite("token-endpoint.yaml"), {
      TOKEN_ENDPOINT_URL: `${endpoint.url}/token`,
    });
    expect(result.code).toBe(1);
    expect(endpoint.paths).toEqual(["/token"]);
    expect(result.run).toMatchObject({ status: "failed", ended_reason: "token_missing" });
    expect(result.run?.error).toContain("No token found in response");
  }, 30_000);

  it("rubric-session.yaml fails room_create_failed with LiveKit's answer when the secret is wrong", async () => {
    const livekit = await startApiTestServer();
    open.push(livekit);
    const session = await answering(200, "{}");
    const result = await sparRunSuite(exampleSuite("rubric-session.yaml"), {
      LIVEKIT_URL: livekit.url.replace(/^http/, "ws"),
      LIVEKIT_API_KEY: TEST_KEY,
      LIVEKIT_API_SECRET: "not-the-secret-of-this-key-0123456789",
      BOT_RUNNER_URL: session.url,
    });
    expect(result.code).toBe(1);
    expect(result.run).toMatchObject({ status: "failed", ended_reason: "room_create_failed" });
    expect(result.run?.error).toContain("401");
    expect(result.run?.error).not.toContain("not-the-secret");
    // The session endpoint is never called for a room that does not exist.
    expect(session.paths).toEqual([]);
  }, 30_000);

  it("manual.yaml fails connection_failed when no LiveKit server listens at the URL", async () => {
    const closed = await answering(200, "{}");
    const port = new URL(closed.url).port;
    await open.splice(0)[0]?.close();
    const result = await sparRunSuite(exampleSuite("manual.yaml"), {
      LIVEKIT_URL: `ws://127.0.0.1:${port}`,
      LIVEKIT_CALLER_TOKEN: "a-token-never-checked",
    });
    expect(result.code).toBe(1);
    expect(result.run).toMatchObject({ status: "failed", ended_reason: "connection_failed", passed: false });
    expect(result.run?.error).toContain("could not connect to the room");
  }, 30_000);

  it("rubric-dispatch.yaml without credentials is a config error at load: exit 2 naming both fields, no run", async () => {
    const result = await sparRunSuite(exampleSuite("rubric-dispatch.yaml"), {
      LIVEKIT_URL: "ws://127.0.0.1:9",
      LIVEKIT_API_KEY: "",
      LIVEKIT_API_SECRET: "",
      AGENT_NAME: "reference-bot",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("agent.voice.livekit.api_key: must not be empty");
    expect(result.stderr).toContain("agent.voice.livekit.api_secret: must not be empty");
    expect(result.run).toBeUndefined();
  }, 30_000);

  it("an example suite run without its variables is a config error naming the variable", async () => {
    const result = await sparRunSuite(exampleSuite("client.yaml"), {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("environment variable BOT_RUNNER_URL is not set");
  }, 30_000);
});
