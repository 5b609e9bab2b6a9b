import { AudioStream, dispose, ParticipantKind, type Room } from "@livekit/rtc-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MediaDevServer, startMediaDevServer } from "../netns/media-dev-server.ts";
import { ECHO_AGENT_IDENTITY } from "./echo-agent.ts";
import { joinRoom, recordTone, SAMPLE_RATE, TonePublisher, waitForTrack } from "./testing/rtc-participant.ts";
import { medianFrequency, rms } from "./testing/tone.ts";

const ECHO_MS = 1_500;
let server: MediaDevServer;
const rooms: Room[] = [];

beforeAll(async () => {
  server = await startMediaDevServer({ echoAgentMs: ECHO_MS });
});

afterAll(async () => {
  for (const r of rooms) await r.disconnect().catch(() => {});
  await server?.close();
  await dispose();
});

describe("the built-in echo agent (--echo-agent-ms)", () => {
  it("joins every participant's room as an agent and plays its audio back after the delay", async () => {
    const alice = await joinRoom(server, "echo-room", "alice");
    rooms.push(alice);
    const echo = [...alice.remoteParticipants.values()].find((p) => p.identity === ECHO_AGENT_IDENTITY);
    expect(echo?.kind).toBe(ParticipantKind.AGENT);
    const tone = new TonePublisher(alice, "alice-mic");
    await tone.publish();
    tone.play(0, 0); // silence first: the echo's onset then marks when the tone came back
    const track = await waitForTrack(alice, ECHO_AGENT_IDENTITY);
    const reader = new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 }).getReader();
    await new Promise((r) => setTimeout(r, 1_000));
    tone.play(440, 0.5);
    let heardAt: number | undefined;
    const deadline = performance.now() + 10_000;
    while (heardAt === undefined && performance.now() < deadline) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      if (rms(value.data) > 0.1 && tone.toneStartedAt !== undefined) heardAt = performance.now();
    }
    await reader.cancel();
    expect(heardAt, "the tone never came back").toBeDefined();
    const delay = (heardAt ?? 0) - (tone.toneStartedAt ?? 0);
    // The delay, plus the WebRTC path both ways (here ~50-250 ms).
    expect(delay).toBeGreaterThanOrEqual(ECHO_MS);
    expect(delay).toBeLessThan(ECHO_MS + 800);
    const heard = await recordTone(track, 500);
    await tone.close();
    expect(Math.abs(medianFrequency(heard, SAMPLE_RATE) - 440)).toBeLessThan(5);
    expect(rms(heard)).toBeGreaterThan((0.5 / Math.SQRT2) * 0.7);
  });

  it("is private to each participant: others do not see anyone's echo agent as a separate peer", async () => {
    const bob = await joinRoom(server, "echo-room-2", "bob");
    rooms.push(bob);
    const carol = await joinRoom(server, "echo-room-2", "carol");
    rooms.push(carol);
    const seenByBob = [...bob.remoteParticipants.values()].map((p) => p.identity).sort();
    const seenByCarol = [...carol.remoteParticipants.values()].map((p) => p.identity).sort();
    expect(seenByCarol).toEqual(["bob", ECHO_AGENT_IDENTITY]);
    // bob learns of carol after joining; his echo agent was in his join response.
    await new Promise((r) => setTimeout(r, 500));
    expect([...bob.remoteParticipants.values()].map((p) => p.identity).sort()).toEqual([
      "carol",
      ECHO_AGENT_IDENTITY,
    ]);
    expect(seenByBob).toContain(ECHO_AGENT_IDENTITY);
  });
});
