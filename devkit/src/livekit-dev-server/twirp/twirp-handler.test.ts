import { connect } from "node:net";
import { ListRoomsRequest, ListRoomsResponse } from "@livekit/protocol";
import { AccessToken } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ApiTestServer, startApiTestServer, TEST_KEY, TEST_SECRET } from "./test-api-server.ts";
import { MAX_TWIRP_BODY_BYTES } from "./twirp-handler.ts";

const twirpErrorBody = z.object({ code: z.string(), msg: z.string() });

let server: ApiTestServer;
let token: string;

beforeEach(async () => {
  server = await startApiTestServer();
  const at = new AccessToken(TEST_KEY, TEST_SECRET, { ttl: 60 });
  at.addGrant({ roomCreate: true, roomList: true });
  token = await at.toJwt();
});
afterEach(async () => {
  await server.close();
});

async function call(
  path: string,
  init: { method?: string; body?: string | Uint8Array; contentType?: string; auth?: string | null } = {},
): Promise<{ status: number; error: z.infer<typeof twirpErrorBody> }> {
  const headers: Record<string, string> = { "content-type": init.contentType ?? "application/json" };
  if (init.auth !== null) headers.authorization = init.auth ?? `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? "POST",
    headers,
    body: init.body ?? null,
  });
  expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, error: twirpErrorBody.parse(await res.json()) };
}

describe("Twirp handler", () => {
  it("answers a missing Authorization header with 401 unauthenticated", async () => {
    const r = await call("/twirp/livekit.RoomService/ListRooms", { body: "{}", auth: null });
    expect(r.status).toBe(401);
    expect(r.error.code).toBe("unauthenticated");
    expect(r.error.msg).toMatch(/Authorization/);
  });

  it("answers a garbage token with 401 unauthenticated", async () => {
    const r = await call("/twirp/livekit.RoomService/ListRooms", { body: "{}", auth: "Bearer not.a.jwt" });
    expect([r.status, r.error.code]).toEqual([401, "unauthenticated"]);
  });

  it("answers malformed JSON and wrongly typed fields with 400 malformed", async () => {
    const garbage = await call("/twirp/livekit.RoomService/CreateRoom", { body: "{not json" });
    expect([garbage.status, garbage.error.code]).toEqual([400, "malformed"]);
    const wrongType = await call("/twirp/livekit.RoomService/CreateRoom", {
      body: '{"name": 12, "emptyTimeout": "x"}',
    });
    expect([wrongType.status, wrongType.error.code]).toEqual([400, "malformed"]);
    expect(wrongType.error.msg).toMatch(/livekit.CreateRoomRequest/);
    const notObject = await call("/twirp/livekit.RoomService/ListRooms", { body: "[1,2,3]" });
    expect([notObject.status, notObject.error.code]).toEqual([400, "malformed"]);
  });

  it("refuses a body over 1 MiB without reading it all", async () => {
    const huge = JSON.stringify({ name: "r", metadata: "x".repeat(MAX_TWIRP_BODY_BYTES) });
    const r = await call("/twirp/livekit.RoomService/CreateRoom", { body: huge });
    expect([r.status, r.error.code]).toEqual([400, "malformed"]);
    expect(r.error.msg).toMatch(/larger than 1048576 bytes/);
  });

  it("refuses a chunked body that grows past 1 MiB", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit: the server must stop it, not buffer it.
        if (sent >= 64) controller.close();
        else {
          sent += 1;
          controller.enqueue(chunk);
        }
      },
    });
    const res = await fetch(`${server.url}/twirp/livekit.RoomService/CreateRoom`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: stream,
      duplex: "half",
    } as RequestInit).catch((e: unknown) => e);
    // Either the 400 arrives or the server closed the upload early; both keep memory bounded.
    if (res instanceof Response) {
      expect(res.status).toBe(400);
      expect(twirpErrorBody.parse(await res.json()).code).toBe("malformed");
    }
    expect(sent).toBeLessThan(64);
  });

  it("routes unknown services to bad_route and unknown methods to unimplemented", async () => {
    const svc = await call("/twirp/livekit.EgressService/ListEgress", { body: "{}" });
    expect([svc.status, svc.error.code]).toEqual([404, "bad_route"]);
    const m = await call("/twirp/livekit.RoomService/SendData", { body: "{}" });
    expect([m.status, m.error.code]).toEqual([501, "unimplemented"]);
    const proto = await call("/twirp/livekit.RoomService/__proto__", { body: "{}" });
    expect([proto.status, proto.error.code]).toEqual([501, "unimplemented"]);
    const deep = await call("/twirp/livekit.RoomService/ListRooms/extra", { body: "{}" });
    expect([deep.status, deep.error.code]).toEqual([404, "bad_route"]);
  });

  it("refuses GET and unknown content types", async () => {
    const get = await call("/twirp/livekit.RoomService/ListRooms", { method: "GET" });
    expect([get.status, get.error.code]).toEqual([404, "bad_route"]);
    const text = await call("/twirp/livekit.RoomService/ListRooms", {
      body: "{}",
      contentType: "text/plain",
    });
    expect([text.status, text.error.code]).toEqual([404, "bad_route"]);
  });

  it("speaks protobuf as well as JSON", async () => {
    server.registry.createRoom({ name: "binary" });
    const res = await fetch(`${server.url}/twirp/livekit.RoomService/ListRooms`, {
      method: "POST",
      headers: { "content-type": "application/protobuf", authorization: `Bearer ${token}` },
      body: new ListRoomsRequest({ names: ["binary"] }).toBinary(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/protobuf");
    const decoded = ListRoomsResponse.fromBinary(new Uint8Array(await res.arrayBuffer()));
    expect(decoded.rooms.map((r) => r.name)).toEqual(["binary"]);
    const garbage = await call("/twirp/livekit.RoomService/ListRooms", {
      body: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]),
      contentType: "application/protobuf",
    });
    expect([garbage.status, garbage.error.code]).toEqual([400, "malformed"]);
  });

  it("keeps serving after a client sends a truncated request and hangs up", async () => {
    await new Promise<void>((resolve, reject) => {
      const sock = connect(Number(new URL(server.url).port), "127.0.0.1", () => {
        sock.write(
          "POST /twirp/livekit.RoomService/ListRooms HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
            `authorization: Bearer ${token}\r\ncontent-length: 100\r\n\r\n{"na`,
        );
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 50);
      });
      sock.on("error", reject);
    });
    const r = await fetch(`${server.url}/twirp/livekit.RoomService/ListRooms`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: "{}",
    });
    expect(r.status).toBe(200);
  });
});
