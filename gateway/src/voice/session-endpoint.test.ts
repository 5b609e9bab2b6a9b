import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpSessionEndpointCaller, sessionEndpointUrl } from "./session-endpoint.ts";

let server: Server;
let base: string;
const answers: Record<string, { status: number; body: string; headers?: Record<string, string> }> = {
  "/redirect/api/session": { status: 307, body: "", headers: { location: "http://127.0.0.1:1/elsewhere" } },
  "/text/api/session": { status: 200, body: "started!" },
  "/stopped/api/session": { status: 200, body: '{"status":"stopped","room_name":"r"}' },
  "/slow/api/session": { status: 0, body: "" },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = answers[req.url ?? ""];
    if (answer === undefined || answer.status === 0) return; // never answers
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const body = { room_name: "r", bot_token: "t", livekit_url: "ws://127.0.0.1:7880" };
const caller = httpSessionEndpointCaller({ fetch, checkUrl: async () => undefined });
// Only for the endpoint that never answers: every other answer gets the default 30 s, so a
// loaded machine cannot turn a quick answer into a timeout.
const impatient = httpSessionEndpointCaller({ fetch, checkUrl: async () => undefined, timeoutMs: 300 });

describe("a bot's session endpoint", () => {
  it("is {web_call_url}/api/session, with or without a trailing slash", () => {
    expect(sessionEndpointUrl("https://bot.example.com/")).toBe("https://bot.example.com/api/session");
    expect(sessionEndpointUrl("https://bot.example.com/x")).toBe("https://bot.example.com/x/api/session");
  });

  it("fails on a redirect (never followed), a non-JSON answer, a status other than started and silence", async () => {
    expect(await caller({ webCallUrl: `${base}/redirect`, body })).toEqual({
      ok: false,
      message: "the session endpoint answered HTTP 307: ",
    });
    expect(await caller({ webCallUrl: `${base}/text`, body })).toEqual({
      ok: false,
      message: "the session endpoint answered with no JSON: started!",
    });
    expect(await caller({ webCallUrl: `${base}/stopped`, body })).toEqual({
      ok: false,
      message:
        'the session endpoint must answer {"status": "started", "room_name"}; it answered {"status":"stopped","room_name":"r"}',
    });
    expect(await impatient({ webCallUrl: `${base}/slow`, body })).toEqual({
      ok: false,
      message: "the session endpoint could not be called: no answer within 0.3 s",
    });
  });
});
