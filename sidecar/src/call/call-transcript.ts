/**
 * The call's transcript as plain data: both sides with speech times (ms since the call started,
 * = positions in the WAV files), the same turns in the text shape the caller brain and the
 * assertions read, and the caller's speech for the turn metrics. Pure: the call core holds it.
 */
import type { TranscriptEntry, VoiceRunEventBody, VoiceTranscriptEntry } from "@spar/protocol";
import type { SpeechInterval } from "../analysis/call-timeline.ts";
import { type AgentTimeline, agentIntervals } from "./agent-speech.ts";

export interface CallTranscript {
  /** Clock ms the call started at: transcript times are relative to it. */
  readonly startMs: number;
  readonly entries: readonly VoiceTranscriptEntry[];
  readonly conversation: readonly TranscriptEntry[];
  readonly callerSpeech: readonly SpeechInterval[];
  /** Agent speech before this clock ms is already in the transcript. */
  readonly agentTurnFrom: number;
  readonly lastCallerEndMs: number | undefined;
  readonly turnIndex: number;
}

/** Where an agent turn lies on the call clock. */
export interface TurnSpan {
  startMs: number;
  endMs: number;
}

export type TurnEvent = Extract<VoiceRunEventBody, { type: "turn" }>;

export const emptyTranscript = (startMs: number): CallTranscript => ({
  startMs,
  entries: [],
  conversation: [],
  callerSpeech: [],
  agentTurnFrom: startMs,
  lastCallerEndMs: undefined,
  turnIndex: 0,
});

/** A caller line as it played: its first and last audible sample. */
export function addCallerTurn(
  t: CallTranscript,
  line: { text: string; startMs: number; endMs: number },
): { transcript: CallTranscript; turn: TurnEvent } {
  const next: CallTranscript = {
    ...t,
    callerSpeech: [...t.callerSpeech, { startMs: line.startMs, endMs: line.endMs }],
    lastCallerEndMs: line.endMs,
    agentTurnFrom: Math.max(t.agentTurnFrom, line.startMs),
  };
  return addEntry(next, "user", line.text, line.startMs, line.endMs, undefined);
}

/**
 * The agent's speech not yet in the transcript, as it stands at `nowMs`; `onsetAfterMs` keeps
 * only speech that began after it (the reply to a barge-in, not the interrupted tail).
 */
export function agentTurnSpan(
  t: CallTranscript,
  timeline: AgentTimeline,
  nowMs: number,
  onsetAfterMs = Number.NEGATIVE_INFINITY,
): TurnSpan | undefined {
  const segments = agentIntervals(timeline, nowMs).filter(
    (s) => s.endMs > t.agentTurnFrom && s.startMs >= onsetAfterMs,
  );
  const first = segments[0];
  const last = segments.at(-1);
  if (!first || !last) return undefined;
  return { startMs: Math.max(first.startMs, t.agentTurnFrom), endMs: last.endMs };
}

/**
 * Writes one agent turn. Without speech (words only) it is placed at `nowMs`, and only when it
 * has words. `cutMs` (a barge-in) is where the next agent turn starts instead of the span's end.
 */
export function addAgentTurn(
  t: CallTranscript,
  text: string,
  span: TurnSpan | undefined,
  nowMs: number,
  cutMs?: number,
): { transcript: CallTranscript; turn: TurnEvent | undefined } {
  if (!span) {
    if (!text) return { transcript: t, turn: undefined };
    return addEntry(t, "agent", text, nowMs, nowMs, undefined);
  }
  const latency =
    t.lastCallerEndMs !== undefined && span.startMs >= t.lastCallerEndMs
      ? span.startMs - t.lastCallerEndMs
      : undefined;
  const added = addEntry(t, "agent", text, span.startMs, span.endMs, latency);
  return { transcript: { ...added.transcript, agentTurnFrom: cutMs ?? span.endMs }, turn: added.turn };
}

/** Entries in speech order (a barge-in's interrupted turn is written after the caller's line began). */
export const sortedEntries = (t: CallTranscript): VoiceTranscriptEntry[] =>
  [...t.entries].sort((a, b) => a.start_ms - b.start_ms);

const tenths = (ms: number) => Math.round(ms * 10) / 10;

function addEntry(
  t: CallTranscript,
  role: "user" | "agent",
  content: string,
  startMs: number,
  endMs: number,
  latencyMs: number | undefined,
): { transcript: CallTranscript; turn: TurnEvent } {
  const rel = (ms: number) => Math.max(0, tenths(ms - t.startMs));
  const entry: VoiceTranscriptEntry = {
    role,
    content,
    start_ms: rel(startMs),
    end_ms: rel(Math.max(startMs, endMs)),
  };
  const text: TranscriptEntry = { role, content, at_ms: entry.start_ms };
  if (latencyMs !== undefined) text.latency_ms = tenths(latencyMs);
  const turnIndex = t.turnIndex + 1;
  return {
    transcript: { ...t, entries: [...t.entries, entry], conversation: [...t.conversation, text], turnIndex },
    turn: {
      type: "turn",
      turn_index: turnIndex,
      role,
      content,
      start_ms: entry.start_ms,
      end_ms: entry.end_ms,
      ...(text.latency_ms === undefined ? {} : { latency_ms: text.latency_ms }),
    },
  };
}
