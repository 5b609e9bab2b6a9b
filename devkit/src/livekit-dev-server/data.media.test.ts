import { dispose, type Room, RoomEvent } from "@livekit/rtc-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MediaDevServer, startMediaDevServer } from "../netns/media-dev-server.ts";
import { joinRoom } from "./testing/rtc-participant.ts";

let server: MediaDevServer;
const rooms: Room[] = [];
let alice: Room;
let bob: Room;
let carol: Room;

interface Received {
  text: string;
  from: string | undefined;
  topic: string | undefined;
}

function inbox(room: Room): Received[] {
  const got: Received[] = [];
  room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    got.push({ text: new TextDecoder().decode(payload), from: participant?.identity, topic });
  });
  return got;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  server = await startMediaDevServer();
  alice = await joinRoom(server, "chat", "alice");
  bob = await joinRoom(server, "chat", "bob");
  carol = await joinRoom(server, "chat", "carol");
  rooms.push(alice, bob, carol);
  await until(
    () => alice.remoteParticipants.size === 2 && carol.remoteParticipants.size === 2,
    "everyone to see everyone",
  );
});

afterAll(async () => {
  for (const r of rooms) await r.disconnect().catch(() => {});
  await server?.close();
  await dispose();
});

const encode = (s: string) => new TextEncoder().encode(s);

describe("data through the dev server (real rtc-node)", () => {
  it("delivers reliable packets to everyone else, stamped with the sender and topic", async () => {
    const [b, c, a] = [inbox(bob), inbox(carol), inbox(alice)];
    await alice.localParticipant?.publishData(encode("hello all"), { reliable: true, topic: "greet" });
    await until(() => b.length > 0 && c.length > 0, "bob and carol to receive");
    expect(b).toEqual([{ text: "hello all", from: "alice", topic: "greet" }]);
    expect(c).toEqual([{ text: "hello all", from: "alice", topic: "greet" }]);
    expect(a).toEqual([]);
  });

  it("honours destination identities in both directions", async () => {
    const [a, b, c] = [inbox(alice), inbox(bob), inbox(carol)];
    await alice.localParticipant?.publishData(encode("for bob"), {
      reliable: true,
      destination_identities: ["bob"],
    });
    await bob.localParticipant?.publishData(encode("for alice"), {
      reliable: true,
      destination_identities: ["alice"],
    });
    // A later broadcast marks the point by which carol would have seen the private ones (reliable is ordered).
    await alice.localParticipant?.publishData(encode("marker-a"), { reliable: true });
    await bob.localParticipant?.publishData(encode("marker-b"), { reliable: true });
    await until(() => c.length === 2 && a.length === 2 && b.length === 2, "all deliveries");
    expect(b.map((m) => m.text)).toEqual(["for bob", "marker-a"]);
    expect(a.map((m) => m.text)).toEqual(["for alice", "marker-b"]);
    expect(c.map((m) => m.text).sort()).toEqual(["marker-a", "marker-b"]);
  });

  it("delivers lossy packets", async () => {
    const a = inbox(alice);
    for (let i = 0; i < 5; i++)
      await carol.localParticipant?.publishData(encode(`lossy ${i}`), { reliable: false });
    await until(() => a.length > 0, "a lossy packet");
    expect(a[0]?.from).toBe("carol");
    expect(a[0]?.text).toMatch(/^lossy \d$/);
  });

  it("carries text streams (lk.chat) sent with sendText and chunked streamText", async () => {
    const got: { topic: string; from: string; text: string }[] = [];
    for (const topic of ["lk.chat", "lk.transcription"]) {
      bob.registerTextStreamHandler(topic, (reader, info) => {
        void reader.readAll().then((text) => got.push({ topic, from: info.identity, text }));
      });
    }
    await alice.localParticipant?.sendText("hi bob", { topic: "lk.chat" });
    const long = "word ".repeat(8000); // ~40 KB: several stream chunks
    const writer = await carol.localParticipant?.streamText({ topic: "lk.transcription" });
    for (const part of long.match(/.{1,1000}/gs) ?? []) await writer?.write(part);
    await writer?.close();
    await until(() => got.length === 2, "both text streams");
    expect(got.find((g) => g.topic === "lk.chat")).toEqual({
      topic: "lk.chat",
      from: "alice",
      text: "hi bob",
    });
    expect(got.find((g) => g.topic === "lk.transcription")).toEqual({
      topic: "lk.transcription",
      from: "carol",
      text: long,
    });
  });
});
