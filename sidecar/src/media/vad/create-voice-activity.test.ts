import { describe, expect, it } from "vitest";
import { createVoiceActivity, type VadEngine } from "./create-voice-activity.ts";

describe("createVoiceActivity", () => {
  it("builds the engine asked for and names it", () => {
    expect(createVoiceActivity({ engine: "energy" }).engine).toBe("energy");
    const silero = createVoiceActivity({ engine: "silero" });
    expect(silero.engine).toBe("silero-v5/onnxruntime+energy-edges");
    expect(silero.frameMs).toBe(4);
  });

  it("rejects an unknown engine, listing the known ones", () => {
    expect(() => createVoiceActivity({ engine: "webrtc" as VadEngine })).toThrow(
      'unknown VAD engine "webrtc"; use one of silero, energy',
    );
  });
});
