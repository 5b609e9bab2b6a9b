import type { Clock, TextToSpeech, VoiceActivity } from "@spar/sidecar";
import { type ChatModeOptions, checkChatModeOptions } from "./chat-mode.ts";
import { checkLatencyPlan, type LatencyPlan } from "./latency-plan.ts";
import { checkNoiseBedOptions, type NoiseBedOptions } from "./noise-bed.ts";
import type { UtteranceTruth } from "./truth.ts";

/**
 * The knobs of the reference voice bot. The defaults make a polite bot: it answers every caller
 * turn 600 ms after the caller stops and stops talking 200 ms after the caller barges in.
 */
export interface ReferenceVoiceBotOptions {
  /** LiveKit server URL and a token for the bot's identity in the room. */
  url: string;
  token: string;
  /** How long after the caller's end of speech each reply starts (see latency-plan.ts). */
  latencyMs: LatencyPlan;
  /** Talk over the caller: in caller turn `turn` (1-based), start `afterMs` after the caller started. */
  interruptCaller?: readonly { turn: number; afterMs: number }[];
  /** What a caller barge-in does: nothing, or stop this long after the caller started. */
  bargeIn?: BargeInPolicy;
  /** What the bot says, in order, repeating. */
  lines?: readonly string[];
  tts?: TextToSpeech;
  /** A fresh VAD for the caller's received audio (default: energy VAD tuned for turn ends). */
  vad?: () => VoiceActivity;
  clock?: Clock;
  /** Whose audio to listen to; default the first remote participant that publishes audio. */
  callerIdentity?: string;
  /**
   * Chat mode (chat-mode.ts): no audio; answer `lk.chat` messages with `lines`. Also entered
   * without this option when room or participant metadata says `{"text_mode": true}`.
   */
  chat?: ChatModeOptions;
  /**
   * Background sent continuously under and between utterances (noise-bed.ts): no digital silence.
   * Default none: exact zeros between utterances.
   */
  noiseBed?: NoiseBedOptions;
  /** Keep every sample sent, for `sentAudio()` (the accuracy oracle aligns it with what arrived). */
  keepSentAudio?: boolean;
  /** Called with every finished utterance, as it is logged. */
  onUtterance?: (truth: UtteranceTruth) => void;
}

export type BargeInPolicy = "ignore" | { stopWithinMs: number };

export const DEFAULT_LINES: readonly string[] = [
  "Thanks for calling. How can I help you today?",
  "I can look into that for you right away.",
  "Your order shipped yesterday and should arrive on Friday.",
  "Is there anything else I can do for you?",
];

/**
 * Caller turn ends need a quick verdict (the reply is timed from them), so the bot's VAD waits
 * 300 ms of silence, shorter than the sidecar's 500 ms. A latency below ~320 ms cannot be honoured:
 * the bot only knows the caller stopped 300 ms + one frame later; it then answers at once and
 * logs how late it was (plannedStartMs vs startMs).
 */
export const BOT_VAD_HYSTERESIS = { onset: 0.5, offset: 0.35, minSpeechMs: 60, minSilenceMs: 300 };

export function checkOptions(o: ReferenceVoiceBotOptions): void {
  checkLatencyPlan(o.latencyMs);
  if (o.chat) checkChatModeOptions(o.chat);
  if (o.noiseBed) checkNoiseBedOptions(o.noiseBed);
  for (const i of o.interruptCaller ?? []) {
    if (!(Number.isInteger(i.turn) && i.turn >= 1 && Number.isFinite(i.afterMs) && i.afterMs >= 0)) {
      throw new Error(
        `reference bot: interruptCaller {turn: ${i.turn}, afterMs: ${i.afterMs}} needs turn >= 1 and afterMs >= 0`,
      );
    }
  }
  const b = o.bargeIn;
  if (b !== undefined && b !== "ignore" && !(Number.isFinite(b.stopWithinMs) && b.stopWithinMs >= 0)) {
    throw new Error(`reference bot: bargeIn.stopWithinMs ${b.stopWithinMs} must be >= 0`);
  }
  if (o.lines !== undefined && (o.lines.length === 0 || o.lines.some((l) => l.trim() === ""))) {
    throw new Error("reference bot: lines must be non-empty sentences");
  }
}
