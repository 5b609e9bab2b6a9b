import { voiceResultSchema } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { type FinishedCall, voiceResultOf } from "./voice-result.ts";

const call = (playout: FinishedCall["playout"]): FinishedCall => ({
  end: { status: "completed", reason: "agent_ended", endedBy: "agent" },
  startedAtWallMs: Date.UTC(2026, 11, 5, 12, 0, 0),
  endedAtWallMs: Date.UTC(2026, 11, 5, 12, 0, 9),
  durationMs: 9_000,
  roomName: "room-1",
  transcript: [],
  recording: null,
  metrics: null,
  ...(playout === undefined ? {} : { playout }),
});

describe("voiceResultOf", () => {
  it("reports the caller microphone's gaps, to a tenth of a millisecond", () => {
    const result = voiceResultOf(
      "run-1",
      call({ frameMs: 100, frames: 88, underruns: 2, underrunMs: 45.54, maxLateMs: 30.01 }),
      [],
    );
    expect(voiceResultSchema.parse(result).caller_audio).toEqual({
      frame_ms: 100,
      frames: 88,
      underruns: 2,
      underrun_ms: 45.5,
      max_late_ms: 30,
    });
  });

  it("leaves caller_audio out when no microphone played (an observed session)", () => {
    expect(voiceResultOf("run-1", call(null), [])).not.toHaveProperty("caller_audio");
    expect(voiceResultOf("run-1", call(undefined), [])).not.toHaveProperty("caller_audio");
  });
});
