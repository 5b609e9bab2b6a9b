/**
 * The end of an agent turn, for the call core: endpointing (the turn is over `endpointingMs`
 * after the last speech frame unless speech resumes), then the turn's words — grace for
 * published text, the text-or-STT choice, STT's own grace — before it is written.
 */
import { turnOverAtMs } from "./agent-speech.ts";
import type { AfterTurn } from "./call-core-types.ts";
import { STT_GRACE_MS, type Step, WORDS_GRACE_MS } from "./call-step.ts";
import { agentTurnSpan } from "./call-transcript.ts";

export function awaitAgentTurn(
  st: Step,
  sinceMs: number,
  onsetAfterMs: number | undefined,
  cutMs: number | undefined,
  then: AfterTurn,
): void {
  st.await({ kind: "agent_turn", sinceMs, onsetAfterMs, cutMs, then });
  checkEndpoint(st);
}

/** Endpointing: the turn is over `endpointingMs` after the last speech frame, unless speech resumes. */
export function checkEndpoint(st: Step): void {
  const w = st.s.wait;
  if (w?.kind !== "agent_turn") return;
  st.clearTimer("endpoint");
  const overAt = turnOverAtMs(st.s.timeline, w.sinceMs, st.s.config.limits.endpointingMs);
  if (overAt === undefined) return;
  if (overAt > st.at) st.setTimer("endpoint", overAt);
  else closeAgentTurn(st, { cutMs: w.cutMs, onsetAfterMs: w.onsetAfterMs }, w.then);
}

/** Writes the agent's speech since its last entry as one turn, once its words are in. */
export function closeAgentTurn(
  st: Step,
  options: { cutMs: number | undefined; onsetAfterMs: number | undefined },
  then: AfterTurn,
): void {
  const s = st.s;
  const span = agentTurnSpan(s.transcript, s.timeline, st.at, options.onsetAfterMs);
  const base = { kind: "words" as const, span, closedAtMs: st.at, cutMs: options.cutMs, then };
  if (!span) {
    st.await({ ...base, stage: "deciding" });
    st.effects.push({ type: "decide_words" });
    return;
  }
  st.await({ ...base, stage: "grace" });
  st.effects.push({ type: "watch_words", speechEndMs: span.endMs });
  st.setTimer("words", st.at + WORDS_GRACE_MS);
}

/** The words waited for arrived, or their grace ran out. */
export function wordsSettled(st: Step): void {
  const w = st.s.wait;
  if (w?.kind !== "words") return;
  st.clearTimer("words");
  st.effects.push({ type: "unwatch_words" });
  if (w.stage === "grace") {
    st.await({ ...w, stage: "deciding" });
    st.effects.push({ type: "decide_words" });
  } else takeWords(st);
}

/** Answer to `decide_words`: STT now running gets its own grace for the turn's words. */
export function wordsDecided(st: Step, sttRunning: boolean): void {
  const w = st.s.wait;
  if (w?.kind !== "words" || w.stage !== "deciding") return;
  if (w.span && sttRunning) {
    st.await({ ...w, stage: "stt" });
    st.effects.push({ type: "watch_words", speechEndMs: w.span.endMs });
    st.setTimer("words", st.at + STT_GRACE_MS);
  } else takeWords(st);
}

function takeWords(st: Step): void {
  const w = st.s.wait;
  if (w?.kind !== "words") return;
  st.await({ ...w, stage: "taking" });
  st.effects.push({ type: "take_words" });
}
