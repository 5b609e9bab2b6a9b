import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ERROR_BODY_BYTES } from "./endpoint-call.ts";
import { json, type LoopbackEndpoint, startLoopbackEndpoint } from "./loopback-endpoint.fixture.ts";
import { enterRoom, roomEntryPorts } from "./room-entry.ts";
import type { RoomEntryContext } from "./room-entry-types.ts";

const context: RoomEntryContext = {
  runId: "run-41",
  scenario: { id: "pay-bill", name: "Pay a bill" },
  agentId: "billing-bot",
};
const ports = (overrides = {}) =>
  roomEntryPorts({ limits: { endpointMs: 2_000, roomCreateMs: 2_000 }, ...overrides });

let endpoint: LoopbackEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

const client = (url: string, headers?: Record<string, string>) => ({
  mode: "client" as const,
  bot_runner_url: url,
  ...(headers ? { headers } : {}),
});

describe("client mode (the user's bot runner creates the room)", () => {
  it("posts the run id and scenario metadata with the configured headers and joins where the runner says", async () => {
    endpoint = await startLoopbackEndpoint(
      json({ room_name: "r-1", room_url: "ws://lk.test:7880", token: "T1" }),
    );
    const entry = await enterRoom(
      client(`${endpoint.url}/start?k=1`, { "X-Bot-Id": "billing" }),
      context,
      ports(),
    );
    expect(entry).toEqual({ ok: true, url: "ws://lk.test:7880", token: "T1", roomName: "r-1" });
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]?.path).toBe("/start?k=1");
    expect(endpoint.requests[0]?.headers["x-bot-id"]).toBe("billing");
    expect(endpoint.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(endpoint.requests[0]?.body).toEqual({
      rubric_run_id: "run-41",
      metadata: { scenario_id: "pay-bill", scenario_name: "Pay a bill", agent_id: "billing-bot" },
    });
  });

  it("fails bot_runner_error with the HTTP status and exactly the first 500 bytes of the body", async () => {
    const body = `${"e".repeat(ERROR_BODY_BYTES)}TAIL-NEVER-SHOWN`;
    endpoint = await startLoopbackEndpoint((_req, res) => {
      res.writeHead(503, { "content-type": "text/plain" }).end(body);
    });
    const entry = await enterRoom(client(`${endpoint.url}/start?secret=s3`), context, ports());
    expect(entry).toEqual({
      ok: false,
      reason: "bot_runner_error",
      message: `the bot runner ${endpoint.url}/start answered HTTP 503: ${"e".repeat(500)}`,
    });
  });

  it("fails invalid_bot_runner_response naming each missing or wrong field", async () => {
    endpoint = await startLoopbackEndpoint(json({ room_name: "r-1", room_url: "" }));
    const entry = await enterRoom(client(`${endpoint.url}/start`), context, ports());
    expect(entry).toEqual({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: `the bot runner ${endpoint.url}/start answered without what the caller needs to join: field "room_url" must be a non-empty string; field "token" is missing (expected {"room_name", "room_url", "token"})`,
    });
  });

  it("fails invalid_bot_runner_response when the answer is not JSON or not an object", async () => {
    endpoint = await startLoopbackEndpoint((_req, res) => {
      res.writeHead(200).end("<html>ok</html>");
    });
    expect(await enterRoom(client(`${endpoint.url}/a`), context, ports())).toEqual({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: `the bot runner ${endpoint.url}/a answered HTTP 200 with a body that is not JSON`,
    });
    await endpoint.close();
    endpoint = await startLoopbackEndpoint(json(["room"]));
    expect(await enterRoom(client(`${endpoint.url}/a`), context, ports())).toMatchObject({
      reason: "invalid_bot_runner_response",
      message: expect.stringContaining("the response is not a JSON object"),
    });
  });

  it("fails bot_runner_error when the runner does not answer within the limit", async () => {
    endpoint = await startLoopbackEndpoint(() => new Promise<void>(() => undefined));
    const started = performance.now();
    const entry = await enterRoom(
      client(`${endpoint.url}/slow`),
      context,
      ports({ limits: { endpointMs: 300, roomCreateMs: 300 } }),
    );
    expect(entry).toEqual({
      ok: false,
      reason: "bot_runner_error",
      message: `the bot runner ${endpoint.url}/slow did not answer within 0.3 s`,
    });
    // The limit, plus scheduling on a loaded 2-core machine.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("fails bot_runner_error on a refused connection, naming the error code", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const entry = await enterRoom(client(`http://127.0.0.1:${port}/start`), context, ports());
    expect(entry).toMatchObject({ ok: false, reason: "bot_runner_error" });
    expect(entry.ok ? "" : entry.message).toMatch(
      new RegExp(`^the bot runner http://127\\.0\\.0\\.1:${port}/start could not be reached: ECONNREFUSED`),
    );
  });

  it("fails bot_runner_error without calling a URL the outbound policy refuses", async () => {
    endpoint = await startLoopbackEndpoint(json({}));
    const entry = await enterRoom(
      client(`${endpoint.url}/start`),
      context,
      ports({ checkUrl: () => "private addresses are not allowed" }),
    );
    expect(entry).toEqual({
      ok: false,
      reason: "bot_runner_error",
      message: `the bot runner ${endpoint.url}/start may not be called: private addresses are not allowed`,
    });
    expect(endpoint.requests).toHaveLength(0);
  });

  it("treats a redirect as a failed answer instead of following it", async () => {
    endpoint = await startLoopbackEndpoint((_req, res) => {
      res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end();
    });
    expect(await enterRoom(client(`${endpoint.url}/start`), context, ports())).toEqual({
      ok: false,
      reason: "bot_runner_error",
      message: `the bot runner ${endpoint.url}/start answered HTTP 302: `,
    });
  });

  it("refuses an answer larger than 64 KiB without reading all of it", async () => {
    endpoint = await startLoopbackEndpoint((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(`{"token":"${"x".repeat(200_000)}"}`);
    });
    expect(await enterRoom(client(`${endpoint.url}/big`), context, ports())).toEqual({
      ok: false,
      reason: "invalid_bot_runner_response",
      message: `the bot runner ${endpoint.url}/big answered more than 65536 bytes; expected a small JSON object`,
    });
  });
});
