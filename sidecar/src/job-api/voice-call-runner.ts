import type { VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";

/**
 * The port a voice call is executed through. The real runner joins a LiveKit room; tests and
 * the job API only know this shape. A runner must resolve (never hang, never throw for an
 * expected outcome such as "agent never joined": that is a failed `VoiceResult`), emit events
 * as they happen, and stop promptly when `signal` aborts.
 */
export interface VoiceCallRunner {
  run(job: VoiceJob, events: (event: VoiceRunEventBody) => void, signal: AbortSignal): Promise<VoiceResult>;
}
