import { z } from "zod";
import type { VoiceCallRunner } from "../job-api/voice-call-runner.ts";
import { DEFAULT_VAD_ENGINE, VAD_ENGINES } from "../media/vad/create-voice-activity.ts";
import { preloadSileroModel } from "../media/vad/silero-onnx-model.ts";
import { LiveKitVoiceCallRunner } from "./livekit-voice-call-runner.ts";
import { STT_ENGINES } from "./speech-engines.ts";

/** The LiveKit runner's part of the sidecar environment (read only by main.ts, passed in here). */
export const livekitRunnerEnvSchema = z.object({
  /** Where each run's WAVs are written (a volume in a container). */
  SPAR_RECORDINGS_DIR: z.string().min(1).default(".spar/recordings"),
  /** VAD on the agent's track: `energy` (no model, cheapest) or `silero` (onnxruntime-node, an optional dependency). */
  SPAR_VAD: z.enum(VAD_ENGINES).default(DEFAULT_VAD_ENGINE),
  /** STT for agents without `lk.transcription`: offline `pocketsphinx` (if installed) or `none`. */
  SPAR_STT: z.enum(STT_ENGINES).default("pocketsphinx"),
});

/** Builds the runner from the environment; the error names the variable and the rule. */
export function livekitRunnerFromEnv(env: Readonly<Record<string, string | undefined>>): VoiceCallRunner {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = livekitRunnerEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`livekit runner configuration is invalid:\n${lines.join("\n")}`);
  }
  // Silero's runtime is optional: without it the sidecar refuses to start, saying how to add it.
  if (parsed.data.SPAR_VAD === "silero") preloadSileroModel();
  return new LiveKitVoiceCallRunner({
    recordingsDir: parsed.data.SPAR_RECORDINGS_DIR,
    vad: parsed.data.SPAR_VAD,
    stt: parsed.data.SPAR_STT,
  });
}
