import { NOISE_KINDS, type NoiseBedOptions } from "@spar/devkit/reference-voice-bot";
import type { ScriptStep } from "@spar/protocol";
import type { AccuracyScenario, BotBehaviour } from "./accuracy-call.ts";

/**
 * One conversation that exercises every turn-taking metric: three answered turns, a caller
 * barge-in on the bot's long third answer, a fourth answered turn, then the bot talking over the
 * caller's long fifth line and answering it when the caller is done. The bot's utterances, in
 * order, are `BOT_LINES`.
 */
export const CALLER_SCRIPT: ScriptStep[] = [
  { say: "Hi, I have a question about my order." },
  { say: "It was placed last Tuesday." },
  { say: "Can you tell me what you found?" },
  { say: "Wait, just the latest order please.", interrupt_after_ms: 1_000 },
  {
    say: "I also wanted to ask whether the delivery address can still be changed because I am moving next week.",
  },
  { end: true },
];

export const BOT_LINES = [
  "Sure, I can help with that.",
  "Let me pull up your account.",
  "Here is everything I found on your account, including your recent orders, your payment history and the notes from your last call.",
  "Of course, go ahead.",
  "Sorry to cut in, I think I already know the answer.",
  "Yes, you can change the address until the parcel ships.",
];

/** Caller turn 5 is the long line the bot talks over, 1.2 s after the caller started. */
export function conversation(
  name: string,
  bot: Partial<BotBehaviour> & Pick<BotBehaviour, "latencyMs">,
): AccuracyScenario {
  return {
    name,
    script: CALLER_SCRIPT,
    bot: {
      lines: BOT_LINES,
      interruptCaller: [{ turn: 5, afterMs: 1_200 }],
      bargeIn: { stopWithinMs: 300 },
      ...bot,
    },
  };
}

/** What the bot sends besides its speech: nothing (digital silence) or a noise bed at an SNR. */
export interface NoiseCondition {
  name: string;
  noiseBed?: NoiseBedOptions;
}

/** Clean, then each bed at 30, 20 and 10 dB SNR (speech active level over bed RMS). */
export const NOISE_CONDITIONS: readonly NoiseCondition[] = [
  { name: "clean" },
  ...NOISE_KINDS.flatMap((kind) =>
    [30, 20, 10].map((snrDb) => ({ name: `${kind}-${snrDb}dB`, noiseBed: { kind, snrDb, seed: 1 } })),
  ),
];
