/**
 * What `spar run` can do on the voice channel today: `manual` LiveKit access and the offline
 * voice. Anything else in a suite is valid for the schema (suites written for hosted platforms
 * load) but is a config error here, found before any call instead of failing every run.
 */
import type { Suite } from "@spar/protocol";

/** Why the suite's voice settings cannot run embedded, or undefined when they can. */
export function unsupportedVoiceSettings(suite: Suite): string | undefined {
  const livekit = suite.agent.voice?.livekit;
  if (livekit && livekit.mode !== "manual") {
    return `agent.voice.livekit.mode "${livekit.mode}" is not supported by spar run yet; use mode: manual (docs/suite-file.md)`;
  }
  if (livekit && !livekit.token && !(livekit.api_key && livekit.api_secret)) {
    return "agent.voice.livekit needs `token`, or `api_key` and `api_secret` (+ `room`) to mint one";
  }
  const tts = suite.caller?.tts;
  if (tts && tts.provider !== "offline") {
    return `caller.tts.provider "${tts.provider}" is not supported by spar run; use offline`;
  }
  return undefined;
}
