import { SileroOnnxVoiceActivity } from "./silero-onnx-voice-activity.ts";
import { DEFAULT_HYSTERESIS, type HysteresisSettings } from "./voice-activity.ts";

/**
 * Kept so existing imports keep working: it now runs Silero v5 directly (onnxruntime-node) with
 * energy-refined edges. The former sherpa-onnx engine was removed: it only returned finished
 * segments (no per-frame probabilities), its edges were 18/55 ms (onset mean/p95) and 130/186 ms
 * (offset, always late) off, and its bundled onnxruntime 1.28.2 must not share a process with ours.
 * Prefer `createVoiceActivity({ engine: "silero" })`.
 */
export class SileroVoiceActivity extends SileroOnnxVoiceActivity {
  constructor(settings: HysteresisSettings = DEFAULT_HYSTERESIS) {
    super({ hysteresis: settings });
  }
}
