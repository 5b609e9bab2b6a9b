import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RoomServiceClient, WebhookReceiver } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type LiveKitDevServer, startLiveKitDevServer } from "../server.ts";
import { TEST_KEY, TEST_SECRET } from "./test-api-server.ts";

let hooks: Server;
let bodies: { body: string; authorization: string }[];
let server: LiveKitDevServer;

beforeEach(async () => {
  bodies = [];
  hooks = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({
        body: Buffer.concat(chunks).toString("utf8"),
        authorization: req.headers.authorization ?? "",
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, "127.0.0.1", resolve));
  server = await startLiveKitDevServer({
    keys: new Map([[TEST_KEY, TEST_SECRET]]),
    webhookUrl: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/`,
  });
});
afterEach(async () => {
  await server.close();
  await new Promise<void>((resolve) => hooks.close(() => resolve()));
});

describe("the Server API as mounted by the full dev server", () => {
  it("serves RoomService and sends signed webhooks", async () => {
    const rooms = new RoomServiceClient(server.httpUrl, TEST_KEY, TEST_SECRET);
    await rooms.createRoom({ name: "wired" });
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual(["wired"]);
    const deadline = Date.now() + 5000;
    while (bodies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const first = bodies[0];
    if (!first) throw new Error("no webhook arrived");
    const event = await new WebhookReceiver(TEST_KEY, TEST_SECRET).receive(first.body, first.authorization);
    expect([event.event, event.room?.name]).toEqual(["room_started", "wired"]);
  });

  it("keeps serving after garbage on /twirp and /agent", async () => {
    const raw = await fetch(`${server.httpUrl}/twirp/livekit.RoomService/CreateRoom`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: "\u0000\u0001garbage",
    });
    expect(raw.status).toBe(401);
    const ws = new WebSocket(`${server.url}/agent`);
    const status = await new Promise<number>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => resolve(-1));
    });
    expect(status).toBe(401);
    const rooms = new RoomServiceClient(server.httpUrl, TEST_KEY, TEST_SECRET);
    expect(await rooms.listRooms()).toEqual([]);
  });
});
