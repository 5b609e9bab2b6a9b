/**
 * Voice settings the embedded runner (sidecar's runVoiceScenario) cannot use. Checked when a
 * voice run is planned, so a suite that can never place a call is a config error (exit 2) naming
 * the field, not one `internal_error` per run after the media stack has loaded.
 */
import type { Suite } from "@spar/protocol";

/** The first problem, as `field: rule; fix`, or undefined when the suite's voice settings can run. */
export function voiceConfigProblem(suite: Suite): string | undefined {
  const livekit = suite.agent.voice?.livekit;
  if (!livekit) return "agent.voice: not configured; add agent.voice.livekit (mode: manual)";
  if (livekit.mode !== "manual") {
    return `agent.voice.livekit.mode: "${livekit.mode}" is not supported by spar run yet; use mode: manual with url and token (or api_key + api_secret)`;
  }
  if (!livekit.token && !(livekit.api_key && livekit.api_secret)) {
    return "agent.voice.livekit: mode manual needs token, or api_key and api_secret to mint one";
  }
  const tts = suite.caller?.tts;
  if (tts && tts.provider !== "offline") {
    return `caller.tts.provider: "${tts.provider}" is not supported by spar run; use offline or remove caller.tts`;
  }
  return undefined;
}
