/**
 * An observed session's transcript, built after the call from what was heard: each party's VAD
 * speech becomes turns (same-party speech closer than the endpointing window, with nobody else
 * starting in between, is one turn), and the words published on `lk.transcription` are attached to
 * the party's turn they belong to. Nothing is invented: a party that made no sound has no turn,
 * and its published words (if any) stay a text-only entry at the time they arrived, so no latency
 * is ever computed from them. Pure: all times are ms on the call clock.
 */
import { mergeIntervals, type SpeechInterval } from "../analysis/call-timeline.ts";
import type { ObservedRole } from "./observed-parties.ts";

/** One published transcription segment: who said it, its text, when its first words arrived. */
export interface HeardWords {
  speaker: ObservedRole;
  text: string;
  atMs: number;
}

export interface ObservedTurn {
  role: ObservedRole;
  startMs: number;
  endMs: number;
  content: string;
  /** True for words without any speech heard from that party (no audio to time them by). */
  textOnly: boolean;
}

export interface ObservedTurnsInput {
  human: readonly SpeechInterval[];
  agent: readonly SpeechInterval[];
  words: readonly HeardWords[];
  /** Same-party silence shorter than this does not end a turn. */
  endpointingMs: number;
  /** How long words may arrive before their turn's first sound (text streamed as speech is synthesised). */
  wordsLeadMs?: number;
}

export const DEFAULT_WORDS_LEAD_MS = 1_000;

export function buildObservedTurns(input: ObservedTurnsInput): ObservedTurn[] {
  if (!(input.endpointingMs >= 0))
    throw new Error(`observe: endpointingMs ${input.endpointingMs} must be >= 0`);
  const lead = input.wordsLeadMs ?? DEFAULT_WORDS_LEAD_MS;
  const speech = [
    ...mergeIntervals(input.human).map((i) => ({ ...i, role: "human" as const })),
    ...mergeIntervals(input.agent).map((i) => ({ ...i, role: "agent" as const })),
  ].sort((a, b) => a.startMs - b.startMs || (a.role === "human" ? -1 : 1));
  const turns: ObservedTurn[] = [];
  let previous: ObservedRole | undefined;
  for (const s of speech) {
    const last = turns.at(-1);
    if (last && previous === s.role && s.startMs - last.endMs < input.endpointingMs) {
      last.endMs = Math.max(last.endMs, s.endMs);
    } else {
      turns.push({ role: s.role, startMs: s.startMs, endMs: s.endMs, content: "", textOnly: false });
    }
    previous = s.role;
  }
  const words = [...input.words].filter((w) => w.text.trim() !== "").sort((a, b) => a.atMs - b.atMs);
  const textOnly: ObservedTurn[] = [];
  for (const w of words) {
    const own = turns.filter((t) => t.role === w.speaker);
    const turn = own.filter((t) => t.startMs <= w.atMs + lead).at(-1) ?? own[0];
    if (turn) turn.content = joinWords(turn.content, w.text);
    else
      textOnly.push({
        role: w.speaker,
        startMs: w.atMs,
        endMs: w.atMs,
        content: w.text.trim(),
        textOnly: true,
      });
  }
  return [...turns, ...textOnly].sort((a, b) => a.startMs - b.startMs);
}

/** The human's turns as the intervals turn analysis reads as caller turns (one per transcript entry). */
export function humanTurnIntervals(turns: readonly ObservedTurn[]): SpeechInterval[] {
  return turns
    .filter((t) => t.role === "human" && !t.textOnly)
    .map((t) => ({ startMs: t.startMs, endMs: t.endMs }));
}

function joinWords(before: string, text: string): string {
  const next = text.trim();
  return before === "" ? next : `${before} ${next}`;
}
