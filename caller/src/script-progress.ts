/**
 * Whether a scripted call played its script to the end (spec: a scripted run passes only if its
 * script was played to the end). Read from the transcript, not from the caller's cursor: a move
 * the caller decided on but never delivered (the agent hung up while it was being spoken or
 * sent) is not played. Used by every runner, text and voice alike, when the agent ends the call.
 */
import { compilePattern, type ScriptStep, type TranscriptEntry } from "@spar/protocol";
import { repliesSinceLastCaller } from "./brain.ts";
import { describePattern, quoteText } from "./quote-text.ts";

/** A step that puts words or tones on the line: each one is one `user` entry once delivered. */
const delivers = (step: ScriptStep): boolean => step.say !== undefined || step.dtmf !== undefined;

/**
 * After the agent ended the call: null when the script is done, else why the run cannot pass.
 * The `expect` steps between the caller's last delivered line and its next one are checked
 * against the agent's final words first, so a script may end on `- expect: /goodbye/` when the
 * agent says goodbye and hangs up.
 */
export function scriptLeftUnplayed(
  script: readonly ScriptStep[],
  transcript: readonly TranscriptEntry[],
): string | null {
  const delivered = transcript.filter((e) => e.role === "user").length;
  let next = 0;
  for (let seen = 0; next < script.length && seen < delivered; next++) {
    const step = script[next];
    if (step && delivers(step)) seen++;
  }
  // Until the caller's next line, every `expect` is checked against the agent's final words.
  const finalWords = repliesSinceLastCaller(transcript);
  for (; next < script.length; next++) {
    const step = script[next];
    if (!step || delivers(step)) break;
    if (step.expect !== undefined && !compilePattern(step.expect).test(finalWords.join("\n"))) {
      return expectationFailed(step.expect, finalWords);
    }
  }
  const step = script[next];
  if (step === undefined) return null;
  return `the agent ended the call at step ${next + 1} of ${script.length}; ${unplayed(step)}`;
}

/** The first unplayed step always delivers a line (say or dtmf), maybe after an `expect`. */
function unplayed(step: ScriptStep): string {
  if (step.expect !== undefined) return `\`expect ${describePattern(step.expect)}\` was never checked`;
  if (step.say !== undefined) return `\`say ${quoteText(step.say, 80)}\` was never played`;
  return `\`dtmf "${step.dtmf}"\` was never sent`;
}

/** The detail of a failed `expect`, the same words whether it failed mid-call or at the end. */
export function expectationFailed(pattern: string, replies: readonly string[]): string {
  const said = replies.length === 0 ? "nothing" : quoteText(replies.join("\n"));
  return `expectation failed: expected ${describePattern(pattern)}, agent said ${said}`;
}
