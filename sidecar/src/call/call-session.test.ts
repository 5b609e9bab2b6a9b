import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallerBrain, CallerMove } from "@spar/caller";
import type { VoiceRunEventBody } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeWav } from "../media/audio/wav.ts";
import { ManualClock } from "../media/clock.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import { EnergyVoiceActivity } from "../media/vad/energy-voice-activity.ts";
import { DEFAULT_CALL_LIMITS } from "./call-limits.ts";
import { runCall } from "./call-session.ts";
import { type FakeAgentScript, FakeCallRoom } from "./fake-call-room.fixture.ts";

/** Every line is 600 ms of tone: the caller's speech times are exact. */
const tts: TextToSpeech = {
  name: "tone",
  synthesize: async () => ({
    samples: Int16Array.from({ length: 9_600 }, (_, i) =>
      Math.round(8_000 * Math.sin((2 * Math.PI * 300 * i) / 16_000)),
    ),
    sampleRate: 16_000,
  }),
};

function scripted(moves: CallerMove[]): CallerBrain {
  return { next: async () => moves.shift() ?? { kind: "end" } };
}

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-call-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function call(
  agent: FakeAgentScript,
  moves: CallerMove[],
  limits = {},
  /** How long building the VAD takes (Silero loads its model on first use in a process). */
  vadLoadMs = 0,
) {
  const clock = new ManualClock(10_000);
  const room = new FakeCallRoom(clock, agent);
  const events: VoiceRunEventBody[] = [];
  const report = await runCall(
    {
      url: "ws://fake",
      token: "t",
      brain: scripted(moves),
      limits: { ...DEFAULT_CALL_LIMITS, endpointingMs: 700, ...limits },
      recordingDir: dir,
    },
    {
      connector: room,
      tts,
      makeVad: () => {
        clock.advance(vadLoadMs);
        return new EnergyVoiceActivity();
      },
      clock,
      wallNow: () => 1_800_000_000_000,
      emit: (e) => events.push(e),
      signal: new AbortController().signal,
    },
  );
  return { report, room, events };
}

const agent: FakeAgentScript = {
  identity: "agent",
  joinAtMs: 10_200,
  greeting: { startMs: 10_500, durationMs: 1_000, text: "Hello, this is the bank." },
  reply: { delayMs: 400, durationMs: 800, text: "Sure, one moment." },
  leaveAfterReply: { reply: 1, afterMs: 1_500 },
};

describe("runCall over a fake room on a manual clock", () => {
  it("answers the greeting endpointing_ms after it ends and records the agent's reply with its latency", async () => {
    const { report, room, events } = await call(agent, [
      { kind: "say", text: "I lost my card" },
      { kind: "wait_for_end" },
    ]);
    expect(report.end).toEqual({
      status: "completed",
      reason: "agent_ended",
      endedBy: "agent",
      detail: "the agent left the room",
    });
    expect(report.transcript).toEqual([
      { role: "agent", content: "Hello, this is the bank.", start_ms: 500, end_ms: 1_500 },
      // Endpointed 700 ms after the greeting's last frame; the tone's first sample is 0 (sin 0),
      // so its first audible sample is 1/16 ms later.
      { role: "user", content: "I lost my card", start_ms: 2_200.1, end_ms: 2_800 },
      { role: "agent", content: "Sure, one moment.", start_ms: 3_200, end_ms: 4_000 },
    ]);
    expect(report.conversation.at(-1)).toEqual({
      role: "agent",
      content: "Sure, one moment.",
      at_ms: 3_200,
      latency_ms: 400,
    });
    expect(room.callerTranscriptions).toEqual(["I lost my card"]);
    expect(room.left).toBe(true);
    // The agent leaves 1_500 ms after its reply ends.
    expect(report.durationMs).toBe(5_500);
    expect(report.metrics?.duration_ms).toBe(5_500);
    expect(report.metrics?.time_to_first_audio_ms).toBe(500);
    expect(report.recording?.participants.map((p) => p.role)).toEqual(["user", "agent"]);
    expect(events.filter((e) => e.type === "turn")).toHaveLength(3);
  });

  it("fails agent_timeout turn_timeout_ms after the caller's line when the agent stays silent", async () => {
    const { leaveAfterReply: _, ...stays } = agent;
    const silent: FakeAgentScript = { ...stays, reply: { ...agent.reply, durationMs: 0 } };
    const { report } = await call(silent, [{ kind: "say", text: "Hello?" }], { turnTimeoutMs: 3_000 });
    expect(report.end).toMatchObject({ reason: "agent_timeout" });
    // The fake microphone advances the clock as a frame is handed over, so the line is done
    // playing one frame after its last sample's slot began (2_800 + 10); the limit runs from there.
    expect(report.durationMs).toBe(2_810 + 3_000);
    expect(report.end.detail).toBe("the agent did not start speaking within 3 s of the caller's turn");
  });

  it("dates the transcript at positions in the recording even when building the VAD takes 131 ms", async () => {
    // Silero loads its model on first use in a process. The call and its recording must still
    // share one zero (before this was fixed the greeting read 370 ms in the transcript, 501 in the WAV).
    const firstAgentSound = async (vadLoadMs: number) => {
      const moves: CallerMove[] = [{ kind: "say", text: "I lost my card" }, { kind: "wait_for_end" }];
      const { report } = await call(agent, moves, {}, vadLoadMs);
      const agentFile = report.recording?.participants.find((p) => p.role === "agent");
      if (!agentFile) throw new Error("no agent recording");
      const wav = decodeWav(await readFile(agentFile.path));
      return {
        transcriptMs: report.transcript.find((t) => t.role === "agent")?.start_ms,
        wavSample: wav.samples.findIndex((s) => s !== 0),
      };
    };
    // The fake agent speaks on the caller's 10 ms frame grid, which a 131 ms load moves by 1 ms.
    // Its tone starts at sin 0, so its first non-zero sample is the one after start × 48.
    expect(await firstAgentSound(0)).toEqual({ transcriptMs: 500, wavSample: 500 * 48 + 1 });
    expect(await firstAgentSound(131)).toEqual({ transcriptMs: 501, wavSample: 501 * 48 + 1 });
  });
});
