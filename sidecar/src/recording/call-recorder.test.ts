import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeWav } from "../media/audio/wav.ts";
import { ManualClock } from "../media/clock.ts";
import { CallRecorder } from "./call-recorder.ts";

const frame = (value: number, count = 480) => ({
  samples: new Int16Array(count).fill(value),
  sampleRate: 48_000,
});

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("CallRecorder", () => {
  it("places each side at its clock time so caller and agent are sample-aligned", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-rec-"));
    const clock = new ManualClock(5_000);
    const rec = new CallRecorder({ clock });
    rec.addParticipant("rubric-test-caller", "user");
    rec.addParticipant("agent", "agent");
    rec.write("rubric-test-caller", frame(100), 5_000);
    // The agent's first frame arrives 250 ms into the call: 12 000 samples of silence before it.
    expect(rec.write("agent", frame(200), 5_250)).toBe(5_250);
    const stereo = decodeWav(await readFile((await rec.writeFiles(dir)).stereoPath)).samples;
    expect(stereo.length / 2).toBe(12_480);
    expect(stereo[0]).toBe(100); // left = caller
    expect(stereo[1]).toBe(0);
    expect(stereo[11_999 * 2 + 1]).toBe(0);
    expect(stereo[12_000 * 2 + 1]).toBe(200); // right = agent, exactly at 250 ms
    expect(stereo[480 * 2]).toBe(0); // caller ran out after 10 ms
  });

  it("writes every sample of a recording longer than one slice, across chunk and slice edges", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-rec-"));
    const rec = new CallRecorder({ clock: new ManualClock(0) });
    rec.addParticipant("caller", "user");
    rec.addParticipant("agent", "agent");
    // 2.5 s in chunks of 4 801 samples (no chunk edge on a slice edge); sample i is i mod 30 000.
    const total = 120_000;
    for (let at = 0; at < total; at += 4_801) {
      const n = Math.min(4_801, total - at);
      const samples = new Int16Array(n).map((_, k) => (at + k) % 30_000);
      rec.write("caller", { samples, sampleRate: 48_000 }, (at * 1000) / 48_000);
      rec.write("agent", { samples: samples.map((v) => -v), sampleRate: 48_000 }, (at * 1000) / 48_000);
    }
    const out = await rec.writeFiles(dir);
    const stereo = decodeWav(await readFile(out.stereoPath)).samples;
    const caller = decodeWav(await readFile(out.participants[0]?.path ?? "")).samples;
    expect(stereo.length).toBe(2 * total);
    expect(caller.length).toBe(total);
    const wrong = [];
    for (let i = 0; i < total; i++) {
      const want = i % 30_000;
      if (stereo[2 * i] !== want || stereo[2 * i + 1] !== -want || caller[i] !== want) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });

  it("leaves no file behind, whole or partial, when a file cannot be written", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-rec-"));
    const rec = new CallRecorder({ clock: new ManualClock(0) });
    rec.addParticipant("caller", "user");
    rec.write("caller", frame(5, 48_000), 0);
    // A directory where the stereo file goes: the rename at the end fails.
    await mkdir(join(dir, "call.stereo.wav"));
    await expect(rec.writeFiles(dir)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["call.stereo.wav"]);
  });

  it("appends jittery frames back to back instead of leaving one-sample gaps", () => {
    const rec = new CallRecorder({ clock: new ManualClock(0) });
    rec.addParticipant("agent", "agent");
    rec.write("agent", frame(1), 0);
    expect(rec.write("agent", frame(2), 10.4)).toBe(10);
    expect(rec.write("agent", frame(3), 19.1)).toBe(20);
    expect(rec.durationMs()).toBe(30);
  });

  it("resamples 16 kHz TTS audio to the file rate", () => {
    const rec = new CallRecorder({ clock: new ManualClock(0) });
    rec.addParticipant("caller", "user");
    rec.write("caller", { samples: new Int16Array(1_600).fill(50), sampleRate: 16_000 }, 0);
    expect(rec.durationMs()).toBeCloseTo(100, 0);
  });

  it("writes a stereo WAV and one WAV per participant with the true sample rate in the header", async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-rec-"));
    const rec = new CallRecorder({ clock: new ManualClock(0), sampleRate: 48_000 });
    rec.addParticipant("caller", "user");
    rec.addParticipant("bot/1", "agent");
    rec.write("caller", frame(7, 48_000), 0);
    rec.write("bot/1", frame(9, 24_000), 500);
    const out = await rec.writeFiles(dir, "run-1");
    const stereo = decodeWav(await readFile(out.stereoPath));
    expect(stereo.sampleRate).toBe(48_000);
    expect(stereo.channels).toBe(2);
    expect(stereo.samples.length / 2).toBe(48_000);
    expect(out.durationMs).toBe(1_000);
    expect(out.participants.map((p) => p.path.slice(dir?.length ?? 0))).toEqual([
      "/run-1.user.caller.wav",
      "/run-1.agent.bot_1.wav",
    ]);
    const agent = decodeWav(await readFile(out.participants[1]?.path ?? ""));
    expect(agent.sampleRate).toBe(48_000);
    expect(agent.samples[23_999]).toBe(0);
    expect(agent.samples[24_000]).toBe(9);
  });

  it("refuses a second track for the same side and unknown participants", () => {
    const rec = new CallRecorder({ clock: new ManualClock(0) });
    rec.addParticipant("a", "agent");
    expect(() => rec.addParticipant("b", "agent")).toThrow(/already recorded/);
    expect(() => rec.write("nobody", frame(1))).toThrow(/addParticipant/);
  });

  it("stops at the maximum length instead of filling memory", () => {
    const rec = new CallRecorder({ clock: new ManualClock(0), maxDurationMs: 15 });
    rec.addParticipant("a", "agent");
    rec.write("a", frame(1), 0);
    expect(() => rec.write("a", frame(1), 10)).toThrow(/maximum recording length/);
  });
});
