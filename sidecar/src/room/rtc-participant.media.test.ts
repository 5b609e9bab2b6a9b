/**
 * The shared rtc-node participant against the repo's LiveKit dev server (its own process): audio
 * from a published microphone reaches the readers that accept its identity and no others, and
 * every way a join can end early fails by name.
 */
import { dispose, RoomEvent } from "@livekit/rtc-node";
import { AccessToken, RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "../call/dev-server-process.fixture.ts";
import { joinRtcParticipant, type RtcParticipant } from "./rtc-participant.ts";

const RATE = 48_000;
let server: DevServerProcess;
const joined: RtcParticipant[] = [];

beforeAll(async () => {
  server = await startDevServerProcess();
});

afterAll(async () => {
  for (const participant of joined) await participant.close();
  await server?.close();
  await dispose();
});

async function token(room: string, identity: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity });
  at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  return at.toJwt();
}

function roomService(): RoomServiceClient {
  return new RoomServiceClient(server.url.replace(/^ws/, "http"), server.apiKey, server.apiSecret);
}

/** Joins with a microphone and keeps a 440 Hz tone (or silence) going until the participant closes. */
async function speaker(room: string, identity: string, amplitude: number): Promise<RtcParticipant> {
  const participant = await joinRtcParticipant({
    url: server.url,
    token: await token(room, identity),
    microphone: { trackName: `${identity}-mic`, sampleRate: RATE, queueMs: 100 },
  });
  joined.push(participant);
  const microphone = participant.microphone;
  if (!microphone) throw new Error("joined without a microphone");
  void (async () => {
    for (let frame = 0; ; frame++) {
      const samples = new Int16Array(RATE / 50);
      for (let i = 0; i < samples.length; i++) {
        const t = (frame * samples.length + i) / RATE;
        samples[i] = Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 440 * t));
      }
      await microphone.captureFrame(samples);
    }
  })().catch(() => undefined);
  return participant;
}

const until = async (done: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("joinRtcParticipant (real rtc-node, dev server)", () => {
  it("reads audio only from the identities the reader accepts, in frames of the asked length", async () => {
    await speaker("filtered", "alice", 0.3);
    await speaker("filtered", "bob", 0.3);
    const frames: { identity: string; samples: number; rate: number }[] = [];
    const listener = await joinRtcParticipant({
      url: server.url,
      token: await token("filtered", "listener"),
      audio: {
        sampleRate: RATE,
        frameMs: 50,
        from: (identity) => identity === "alice",
        onFrame: (frame, identity) =>
          frames.push({ identity, samples: frame.data.length, rate: frame.sampleRate }),
      },
    });
    joined.push(listener);
    await until(() => frames.length >= 20, "20 frames from alice");
    expect(new Set(frames.map((f) => f.identity))).toEqual(new Set(["alice"]));
    expect(new Set(frames.map((f) => `${f.samples}@${f.rate}`))).toEqual(new Set(["2400@48000"]));
  });

  it("reads one track only when asked for the first track", async () => {
    await speaker("first", "carol", 0.3);
    await speaker("first", "dave", 0.3);
    const identities = new Set<string>();
    let count = 0;
    const listener = await joinRtcParticipant({
      url: server.url,
      token: await token("first", "listener"),
      audio: {
        sampleRate: RATE,
        firstTrackOnly: true,
        onFrame: (_frame, identity) => {
          identities.add(identity);
          count++;
        },
      },
    });
    joined.push(listener);
    await until(() => count >= 100, "100 frames");
    // Both tracks are subscribed by now (a second reader would have had 1 s to start).
    expect(listener.room.remoteParticipants.size).toBe(2);
    expect(identities.size).toBe(1);
  });

  it("fails with 'aborted while connecting' when the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      joinRtcParticipant({
        url: server.url,
        token: await token("aborted", "caller"),
        signal: controller.signal,
      }),
    ).rejects.toThrow("aborted while connecting");
  });

  it("fails by name when the server removes the participant while it joins", async () => {
    const joining = joinRtcParticipant({
      url: server.url,
      token: await token("dropped", "caller"),
      role: "caller",
      onConnected: async (room) => {
        const gone = new Promise((resolve) => room.once(RoomEvent.Disconnected, resolve));
        await roomService().removeParticipant("dropped", "caller");
        await gone;
      },
      microphone: { trackName: "caller-mic", sampleRate: RATE, queueMs: 100 },
    });
    await expect(joining).rejects.toThrow(
      /^the server closed the connection while the caller joined \(\d+\)$/,
    );
  });

  it("closes with its readers once the server has removed the participant (no frame comes again)", async () => {
    await speaker("removed", "erin", 0.3);
    let frames = 0;
    const listener = await joinRtcParticipant({
      url: server.url,
      token: await token("removed", "listener"),
      audio: { sampleRate: RATE, onFrame: () => frames++ },
    });
    await until(() => frames >= 10, "10 frames");
    const gone = new Promise((resolve) => listener.room.once(RoomEvent.Disconnected, resolve));
    await roomService().removeParticipant("removed", "listener");
    await gone;
    await listener.close();
    const afterClose = frames;
    await new Promise((r) => setTimeout(r, 300));
    expect(frames).toBe(afterClose);
    // A microphone published after leaving is refused, not half-made.
    await expect(
      listener.publishMicrophone({ trackName: "late", sampleRate: RATE, queueMs: 100 }),
    ).rejects.toThrow("the participant has left the room");
  });
});
