import { dispose, type Room } from "@livekit/rtc-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MediaDevServer, startMediaDevServer } from "../netns/media-dev-server.ts";
import { joinRoom, recordTone, TonePublisher, waitForTrack } from "./testing/rtc-participant.ts";
import { medianFrequency, rms } from "./testing/tone.ts";

let server: MediaDevServer;
const rooms: Room[] = [];

beforeAll(async () => {
  server = await startMediaDevServer();
});

afterAll(async () => {
  for (const r of rooms) await r.disconnect().catch(() => {});
  await server?.close();
  await dispose();
});

describe("audio through the dev server (real rtc-node)", () => {
  it("carries two tones both ways between two participants at the right frequency and level", async () => {
    const alice = await joinRoom(server, "duet", "alice");
    rooms.push(alice);
    const bob = await joinRoom(server, "duet", "bob");
    rooms.push(bob);
    const aliceTone = new TonePublisher(alice, "alice-mic");
    const bobTone = new TonePublisher(bob, "bob-mic");
    await aliceTone.publish();
    await bobTone.publish();
    aliceTone.play(440, 0.5);
    bobTone.play(660, 0.3);
    const [fromAlice, fromBob] = await Promise.all([waitForTrack(bob, "alice"), waitForTrack(alice, "bob")]);
    const [heardByBob, heardByAlice] = await Promise.all([
      recordTone(fromAlice, 1000),
      recordTone(fromBob, 1000),
    ]);
    await Promise.all([aliceTone.close(), bobTone.close()]);
    expect(Math.abs(medianFrequency(heardByBob, 48000) - 440)).toBeLessThan(5);
    expect(Math.abs(medianFrequency(heardByAlice, 48000) - 660)).toBeLessThan(5);
    expect(rms(heardByBob)).toBeGreaterThan((0.5 / Math.SQRT2) * 0.7);
    expect(rms(heardByBob)).toBeLessThan((0.5 / Math.SQRT2) * 1.3);
    expect(rms(heardByAlice)).toBeGreaterThan((0.3 / Math.SQRT2) * 0.7);
    expect(rms(heardByAlice)).toBeLessThan((0.3 / Math.SQRT2) * 1.3);
  });
});
