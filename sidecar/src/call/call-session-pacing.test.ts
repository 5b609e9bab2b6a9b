/**
 * The shell's real-time pacing of the microphone, on a room paced like LiveKit's (100 ms frames
 * into a 500 ms queue, paced-call-room.fixture.ts) under vitest's fake timers: when each caller
 * line is handed over and leaves, when a barge-in leaves relative to the agent's onset, and what
 * the agent and the metrics make of it. The numbers are exact. The shell before the call core
 * (main's call-session.ts, 20 ms polling loops) was driven through this same room and script:
 * every time below was the same relative to its first line, which began one 100 ms frame later
 * (1_200.1: its polling noticed the greeting wait's end up to 20 ms late, past the slot).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallerBrain, CallerMove } from "@spar/caller";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "../media/clock.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import { EnergyVoiceActivity } from "../media/vad/energy-voice-activity.ts";
import { DEFAULT_CALL_LIMITS } from "./call-limits.ts";
import { type CallReport, runCall } from "./call-session.ts";
import { PacedCallRoom } from "./paced-call-room.fixture.ts";

/** Every line: 100 ms of digital silence, then 1_100 ms of tone. */
const tts: TextToSpeech = {
  name: "tone",
  synthesize: async () => ({
    samples: Int16Array.from({ length: 19_200 }, (_, i) =>
      i < 1_600 ? 0 : Math.round(8_000 * Math.sin((2 * Math.PI * 300 * i) / 16_000)),
    ),
    sampleRate: 16_000,
  }),
};

const clock: Clock = {
  now: () => performance.now(),
  setTimer(dueAtMs, fire) {
    const timer = setTimeout(fire, Math.max(0, dueAtMs - performance.now()));
    return () => clearTimeout(timer);
  },
};

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-pacing-"));
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

async function pacedCall(moves: CallerMove[]): Promise<{ report: CallReport; room: PacedCallRoom }> {
  const room = new PacedCallRoom({
    joinAfterMs: 200,
    hearSilenceMs: 400,
    replyMs: 4_000,
    stopMs: 20,
    transitMs: 40,
  });
  const brain: CallerBrain = { next: async () => moves.shift() ?? { kind: "end" } };
  const interrupts = moves.map((m) => (m.kind === "say" ? m.interruptAfterMs : undefined));
  let report: CallReport | undefined;
  runCall(
    {
      url: "ws://paced",
      token: "t",
      brain,
      interruptAfterMsByMove: interrupts,
      limits: { ...DEFAULT_CALL_LIMITS, greetingWaitMs: 300, endpointingMs: 700 },
      recordingDir: dir,
    },
    {
      connector: room,
      tts,
      makeVad: () => new EnergyVoiceActivity(),
      clock,
      wallNow: () => 1_800_000_000_000,
      emit: () => undefined,
      signal: new AbortController().signal,
    },
  ).then((r) => {
    report = r;
  });
  // Fake time moves 1 ms at a time; real turns of the loop let file writes finish.
  while (!report) {
    await vi.advanceTimersByTimeAsync(1);
    await new Promise((r) => setImmediate(r));
  }
  return { report, room };
}

describe("runCall's microphone pacing on a LiveKit-paced room (fake timers)", () => {
  it("starts a barge-in exactly interrupt_after_ms after the agent's measured onset; the agent hears it one transit later", async () => {
    const { report, room } = await pacedCall([
      { kind: "say", text: "Tell me everything." },
      { kind: "say", text: "Stop, that is enough.", interruptAfterMs: 800 },
      { kind: "end" },
    ]);
    expect(report.transcript.map((t) => [t.role, t.start_ms, t.end_ms])).toEqual([
      // Greeting wait (300 ms from the agent's join at 200) → the next free 100 ms slot at the
      // 40 ms lead, + the line's 100 ms of leading silence.
      ["user", 1_100.1, 2_200],
      // Agent answers 400 ms of silence after hearing the line end (+40 ms transit each way).
      ["agent", 2_680, 4_100],
      // The barge-in: measured onset + 800, to the sample.
      ["user", 3_480, 4_579.9],
      ["agent", 5_060, 9_060],
    ]);
    const bargeInAtMs = room.connectedAtMs + 3_480;
    // Its first audible sample leaves in the 100 ms frame that starts at 3_400 (lead silence 80 ms in).
    expect(room.frames.find((f) => f.loud && f.leftAtMs > room.connectedAtMs + 2_300)?.leftAtMs).toBe(
      bargeInAtMs - 80,
    );
    // The agent hears it one transit (40) and one 10 ms piece later, and stops 20 ms after that.
    expect(room.replies[0]?.bargeInHeardAtMs).toBe(bargeInAtMs + 50);
    expect(room.replies[0]?.endMs).toBe(bargeInAtMs + 70);
    // Stop time: 70 ms at the agent + 40 ms transit back.
    expect(report.metrics?.stop_time_after_interruption.events.map((e) => e.stop_time_ms)).toEqual([110]);
    expect(report.metrics?.latency_ms?.turns.map((t) => t.latency_ms)).toEqual([480, 480.1]);
    expect(report.playout).toMatchObject({ underruns: 0, maxLateMs: 0 });
  });
});
