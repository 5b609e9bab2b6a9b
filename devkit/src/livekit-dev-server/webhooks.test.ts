import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TrackInfo, TrackType, type WebhookEvent } from "@livekit/protocol";
import { WebhookReceiver } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RoomRegistry } from "./room-registry.ts";
import { FakeSession, TEST_KEY, TEST_SECRET } from "./twirp/test-api-server.ts";
import { startWebhooks } from "./webhooks.ts";

interface Received {
  body: string;
  authorization: string;
  contentType: string;
}

let receiver: Server;
let received: Received[];
/** Status codes to answer with, in order; 200 once exhausted. */
let answers: number[];
let url: string;
let stop: (() => void) | undefined;

beforeEach(async () => {
  received = [];
  answers = [];
  receiver = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        authorization: req.headers.authorization ?? "",
        contentType: req.headers["content-type"] ?? "",
      });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterEach(async () => {
  stop?.();
  stop = undefined;
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function waitFor(count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${received.length} webhooks, wanted ${count}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("webhooks", () => {
  it("posts each room event, signed so livekit-server-sdk's WebhookReceiver accepts it", async () => {
    const registry = new RoomRegistry();
    stop = startWebhooks(registry, { url, apiKey: TEST_KEY, apiSecret: TEST_SECRET });
    registry.createRoom({ name: "hooked" });
    const caller = new FakeSession("caller");
    registry.admit("hooked", caller, { autoCreate: false });
    const track = new TrackInfo({ sid: "TR_mic", type: TrackType.AUDIO, name: "mic" });
    caller.info.tracks.push(track);
    registry.trackPublished("hooked", caller, track);
    registry.deleteRoom("hooked");
    await waitFor(5);

    const hooks = new WebhookReceiver(TEST_KEY, TEST_SECRET);
    const events: WebhookEvent[] = [];
    for (const r of received) {
      expect(r.contentType).toBe("application/webhook+json");
      events.push(await hooks.receive(r.body, r.authorization));
    }
    expect(events.map((e) => e.event)).toEqual([
      "room_started",
      "participant_joined",
      "track_published",
      "participant_left",
      "room_finished",
    ]);
    expect(events.every((e) => e.room?.name === "hooked" && e.id.startsWith("EV_"))).toBe(true);
    expect(events[1]?.participant?.identity).toBe("caller");
    expect(events[2]?.track?.sid).toBe("TR_mic");
    expect(events[2]?.participant?.identity).toBe("caller");
    expect(events[3]?.participant?.identity).toBe("caller");
  });

  it("signs with the configured secret only: another secret's receiver rejects the event", async () => {
    const registry = new RoomRegistry();
    stop = startWebhooks(registry, { url, apiKey: TEST_KEY, apiSecret: TEST_SECRET });
    registry.createRoom({ name: "r" });
    await waitFor(1);
    const first = received[0];
    if (!first) throw new Error("no webhook");
    const wrong = new WebhookReceiver(TEST_KEY, "a-different-secret-a-different-secret");
    await expect(wrong.receive(first.body, first.authorization)).rejects.toThrow();
    const right = new WebhookReceiver(TEST_KEY, TEST_SECRET);
    await expect(right.receive(`${first.body} `, first.authorization)).rejects.toThrow(/sha256/);
  });

  it("retries a failing receiver and delivers in order", async () => {
    answers = [500, 503];
    const registry = new RoomRegistry();
    stop = startWebhooks(registry, {
      url,
      apiKey: TEST_KEY,
      apiSecret: TEST_SECRET,
      retryDelaysMs: [10, 10, 10],
    });
    registry.createRoom({ name: "one" });
    registry.createRoom({ name: "two" });
    await waitFor(4);
    const hooks = new WebhookReceiver(TEST_KEY, TEST_SECRET);
    const names: string[] = [];
    for (const r of received) names.push((await hooks.receive(r.body, r.authorization)).room?.name ?? "");
    expect(names).toEqual(["one", "one", "one", "two"]);
  });

  it("gives up after the retries, reports the drop and keeps going", async () => {
    answers = [500, 500, 500, 500, 400];
    const drops: string[] = [];
    const registry = new RoomRegistry();
    stop = startWebhooks(registry, {
      url,
      apiKey: TEST_KEY,
      apiSecret: TEST_SECRET,
      retryDelaysMs: [5, 5, 5],
      onDropped: (event, reason) => drops.push(`${event}: ${reason}`),
    });
    registry.createRoom({ name: "lost" });
    registry.createRoom({ name: "rejected" });
    registry.createRoom({ name: "kept" });
    await waitFor(6);
    expect(drops).toEqual([
      expect.stringMatching(/^room_started: .*HTTP 500$/),
      expect.stringMatching(/^room_started: .*HTTP 400$/),
    ]);
  });

  it("bounds the queue when the receiver is unreachable, without throwing into the registry", async () => {
    const drops: string[] = [];
    const registry = new RoomRegistry();
    stop = startWebhooks(registry, {
      // A closed port on loopback: every attempt fails fast.
      url: "http://127.0.0.1:1/hooks",
      apiKey: TEST_KEY,
      apiSecret: TEST_SECRET,
      retryDelaysMs: [1_000],
      maxQueued: 3,
      onDropped: (event, reason) => drops.push(`${event}: ${reason}`),
    });
    for (let i = 0; i < 10; i += 1) registry.createRoom({ name: `r${i}` });
    expect(drops.filter((d) => d.includes("queued")).length).toBe(6);
    stop();
    stop = undefined;
  });
});
