/**
 * The caller brain's port: the session core (text session, voice sidecar) asks it what to do
 * next; the brain never touches a socket. Scripted and LLM callers both fill it in.
 */
import type { TranscriptEntry } from "@spar/protocol";

/** What the caller does next. */
export type CallerMove =
  /** Send `{"type":"message","content":text}`. `interruptAfterMs` is voice only: barge in that long after the agent starts speaking. */
  | { kind: "say"; text: string; interruptAfterMs?: number }
  /** Stay silent this long, then the session calls `next()` again. */
  | { kind: "wait"; ms: number }
  /** Send `end_call`. `failure` (an expectation that did not hold) makes the run fail with that detail. */
  | { kind: "end"; failure?: string }
  /** Wait (per-turn timeout applies) for the agent to end the call. */
  | { kind: "wait_for_end" };

/** Read-only view of the conversation so far. */
export interface ConversationView {
  transcript: readonly TranscriptEntry[];
  /** Agent turns (role "agent") since the caller's last message (or since the start). */
  repliesSinceLastCaller: readonly string[];
}

export interface CallerBrain {
  /**
   * Asked when it is the caller's turn (start, after agent replies settled, or after a wait).
   * Rejects only on a fault (e.g. the caller model is unreachable): the session records the
   * error message as the `internal_error` detail.
   */
  next(view: ConversationView, signal: AbortSignal): Promise<CallerMove>;
}

/** The agent turns after the caller's last message: what the session passes as `repliesSinceLastCaller`. */
export function repliesSinceLastCaller(transcript: readonly TranscriptEntry[]): string[] {
  const out: string[] = [];
  for (let i = transcript.length - 1; i >= 0; i--) {
    const entry = transcript[i];
    if (!entry || entry.role === "user") break;
    if (entry.role === "agent") out.unshift(entry.content);
  }
  return out;
}
