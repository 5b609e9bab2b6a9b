import { EnergyVoiceActivity } from "./energy-voice-activity.ts";
import { SileroOnnxVoiceActivity } from "./silero-onnx-voice-activity.ts";
import type { HysteresisSettings, VoiceActivity } from "./voice-activity.ts";

export const VAD_ENGINES = ["silero", "energy"] as const;
export type VadEngine = (typeof VAD_ENGINES)[number];

/**
 * The engine a call uses unless configured otherwise, chosen from bench/voice-accuracy's
 * per-noise-condition error bars (README, "Error bars").
 */
export const DEFAULT_VAD_ENGINE: VadEngine = "energy";

export interface CreateVoiceActivityOptions {
  /**
   * "silero": Silero v5 per 32 ms window (onnxruntime-node) with energy-refined edges — robust in
   * noise, edges within a few ms on clean speech; ~7 ms CPU per s of audio. Throws
   * MissingEngineError, saying what to install, when its runtime or model is absent.
   * "energy": no model, ~1 ms CPU per s; precise on clean tracks, degrades in noise.
   */
  engine: VadEngine;
  hysteresis?: HysteresisSettings;
}

/** The one place a VAD engine is chosen, so the choice is explicit and reported (`engine`). */
export function createVoiceActivity(options: CreateVoiceActivityOptions): VoiceActivity {
  const hysteresis = options.hysteresis ? { hysteresis: options.hysteresis } : {};
  switch (options.engine) {
    case "silero":
      return new SileroOnnxVoiceActivity(hysteresis);
    case "energy":
      return new EnergyVoiceActivity(hysteresis);
    default:
      throw new Error(
        `unknown VAD engine ${JSON.stringify(options.engine satisfies never)}; use one of ${VAD_ENGINES.join(", ")}`,
      );
  }
}
