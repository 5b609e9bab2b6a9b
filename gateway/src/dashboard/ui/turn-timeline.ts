/**
 * The turn timeline of a voice run, as plain data the page draws: each turn in its lane (caller or
 * agent) with its times, each agent turn's latency, and the stretches to highlight —
 * interruptions (both speaking, from the run's metrics) and silences (nobody speaking for at
 * least the silence threshold). Pure: times in, times out.
 */
import type { VoiceMetrics, VoiceTranscriptEntry } from "@spar/protocol";

export type Lane = "caller" | "agent";

export interface TimelineTurn {
  lane: Lane;
  startMs: number;
  endMs: number;
  text: string;
  /** Agent turns: caller end of speech → this turn's start (the run's measured value when it has one). */
  latencyMs: number | null;
}

export interface TimelineBand {
  kind: "interruption" | "silence";
  startMs: number;
  endMs: number;
  label: string;
}

export interface Timeline {
  durationMs: number;
  turns: TimelineTurn[];
  bands: TimelineBand[];
}

/** The spec's default shortest silence, when the run's metrics do not say. */
const DEFAULT_SILENCE_MS = 3000;

export function turnTimeline(
  transcript: readonly VoiceTranscriptEntry[],
  metrics: VoiceMetrics | null,
  durationMs: number,
): Timeline {
  const entries = [...transcript].sort((a, b) => a.start_ms - b.start_ms);
  const callerTurns = entries.filter((e) => e.role === "user");
  const measured = new Map<VoiceTranscriptEntry, number>();
  for (const { turn, latency_ms } of metrics?.latency_ms?.turns ?? []) {
    const caller = callerTurns[turn - 1];
    const answer = caller && entries.find((e) => e.role === "agent" && e.start_ms >= caller.start_ms);
    if (answer) measured.set(answer, latency_ms);
  }
  const turns = entries.map((entry, i): TimelineTurn => {
    const lane: Lane = entry.role === "user" ? "caller" : "agent";
    let latencyMs: number | null = null;
    if (lane === "agent") {
      const before = entries[i - 1];
      latencyMs =
        measured.get(entry) ??
        (before?.role === "user" && entry.start_ms >= before.end_ms ? entry.start_ms - before.end_ms : null);
    }
    return { lane, startMs: entry.start_ms, endMs: entry.end_ms, text: entry.content, latencyMs };
  });
  const end = Math.max(durationMs, ...entries.map((e) => e.end_ms));
  return {
    durationMs: end,
    turns,
    bands: [...interruptionBands(metrics), ...silenceBands(entries, metrics)],
  };
}

function interruptionBands(metrics: VoiceMetrics | null): TimelineBand[] {
  if (metrics === null) return [];
  const band = (who: string) => (i: { at_second: number; duration_ms: number }) => ({
    kind: "interruption" as const,
    startMs: Math.round(i.at_second * 1000),
    endMs: Math.round(i.at_second * 1000 + i.duration_ms),
    label: `${who} interrupted (${i.duration_ms} ms overlap)`,
  });
  return [
    ...metrics.user_interruptions.interruptions.map(band("caller")),
    ...metrics.ai_interruptions.interruptions.map(band("agent")),
  ].sort((a, b) => a.startMs - b.startMs);
}

/** Gaps between speech (either party) at least the threshold long. */
function silenceBands(
  entries: readonly VoiceTranscriptEntry[],
  metrics: VoiceMetrics | null,
): TimelineBand[] {
  const threshold = metrics?.silence_detection.threshold_ms ?? DEFAULT_SILENCE_MS;
  const bands: TimelineBand[] = [];
  let spokenUntil: number | null = null;
  for (const entry of entries) {
    if (spokenUntil !== null && entry.start_ms - spokenUntil >= threshold) {
      bands.push({
        kind: "silence",
        startMs: spokenUntil,
        endMs: entry.start_ms,
        label: `silence ${((entry.start_ms - spokenUntil) / 1000).toFixed(1)} s`,
      });
    }
    spokenUntil = Math.max(spokenUntil ?? 0, entry.end_ms);
  }
  return bands;
}
