/**
 * Voice settings the embedded runner (sidecar's runVoiceScenario) cannot use. Checked when a
 * voice run is planned, so a suite that can never place a call is a config error (exit 2) naming
 * the field, not one failed run per scenario after the media stack has loaded. Every LiveKit mode
 * runs embedded; the suite schema has already checked each mode's fields.
 */
import { type Suite, voiceConnectionFor } from "@spar/protocol";

/** The first problem, as `field: rule; fix`, or undefined when the suite's voice settings can run. */
export function voiceConfigProblem(suite: Suite): string | undefined {
  const livekit = suite.agent.voice?.livekit;
  if (!livekit) {
    return "agent.voice: not configured; add agent.voice.livekit (mode: manual, client, rubric or token_endpoint)";
  }
  // No workspace here: a suite's channel carries its own credentials.
  const plan = voiceConnectionFor(livekit);
  if (!plan.ok) return `${plan.message} (${plan.reason})`;
  const tts = suite.caller?.tts;
  if (tts && tts.provider !== "offline") {
    return `caller.tts.provider: "${tts.provider}" is not supported by spar run; use offline or remove caller.tts`;
  }
  return undefined;
}
